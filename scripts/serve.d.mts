/** Starts the examples' static server on 127.0.0.1 (`port` 0: any free port). */
export function startServer(options?: { port?: number }): Promise<{ url: string; close: () => Promise<void> }>;
