/** The file name of the example's bundle in the site. */
export const BUNDLE: string;
/** The example page as the site serves it: no import map, the classic bundle instead of the module script. */
export function sitePage(html: string): string;
/** Writes the example into `dir` as `pageName` (default `index.html`) and its bundle. */
export function writeSiteExample(dir: string, pageName?: string): Promise<void>;
