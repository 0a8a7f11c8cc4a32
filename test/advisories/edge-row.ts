/** gem, advisory id, locked version, locked platform (null: plain `gem (x.y.z)`), flagged? */
export type EdgeRow = readonly [gem: string, id: string, version: string, platform: string | null, affected: boolean];
