/** gem, advisory id, locked version, locked platform (null: plain `gem (x.y.z)`), flagged? */
export type EdgeRow = readonly [gem: string, id: string, version: string, platform: string | null, affected: boolean];

/**
 * engine (`ruby`), advisory id, interpreter version as a project writes it (`3.3.0`, `3.3.0p0`), flagged?
 * Rows of the bundled `rubies/<engine>/<id>.yml` live in `edges-rubies.ts` (export `ROWS_RUBIES`).
 */
export type RubyEdgeRow = readonly [engine: string, id: string, version: string, affected: boolean];
