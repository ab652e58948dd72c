/** The `href` and `src` values of the tags of an HTML text (script bodies and comments skipped). */
export function htmlLinks(html: string): string[];
/** Checks the built site in `dir`: broken links within it, and its external addresses. */
export function checkSite(dir: string): { pages: number; checked: number; broken: string[]; external: string[] };
