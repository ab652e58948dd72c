// Fits the frequency ω and the damping ζ of a damped oscillator x'' + 2ζωx' + ω²x = 0 to noisy
// observations of its position, through 1,000 RK4 steps inside a scan, with
// jit(valueAndGrad(loss)) and adam. Everything is seeded: every run prints the same numbers
// (but the time).
//
//   npm run build && node examples/ode-fit.mjs
//
// The model and the training loop live in ode-fit-model.mjs, shared with test/ode-fit.test.ts,
// which checks that ω and ζ are recovered.
import { DEFAULT_CONFIG, TOLERANCE, fit } from "./ode-fit-model.mjs";

const c = DEFAULT_CONFIG;
const show = (p) => `ω = ${p.omega.toFixed(4)}, ζ = ${p.zeta.toFixed(4)}`;
console.log(
  `Damped oscillator, truth ${show(c.truth)}; ${c.steps} RK4 steps of ${c.dt} from x = ${c.x0}, v = ${c.v0}; ` +
    `observations with noise σ = ${c.noise}.`,
);
console.log(`Fitting from ${show(c.start)} with adam(${c.learningRate}) for ${c.iterations} iterations.\n`);

const result = fit(c, ({ iteration, loss, params }) => {
  console.log(`iteration ${String(iteration).padStart(4)}  loss ${loss.toFixed(6)}  ${show(params)}`);
});

const error = {
  omega: Math.abs(result.params.omega - c.truth.omega) / c.truth.omega,
  zeta: Math.abs(result.params.zeta - c.truth.zeta) / c.truth.zeta,
};
const ok = error.omega <= TOLERANCE.omega && error.zeta <= TOLERANCE.zeta;
console.log(`\nFitted ${show(result.params)} (loss ${result.loss.toFixed(6)}, about σ² = ${(c.noise ** 2).toFixed(6)}).`);
console.log(
  `Relative errors: ω ${(error.omega * 100).toFixed(2)}%, ζ ${(error.zeta * 100).toFixed(2)}% ` +
    `(tolerance ${TOLERANCE.omega * 100}% and ${TOLERANCE.zeta * 100}%): ${ok ? "recovered" : "NOT recovered"}.`,
);
console.log(`Done in ${result.seconds.toFixed(1)} s.`);
process.exitCode = ok ? 0 : 1;
