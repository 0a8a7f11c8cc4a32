/**
 * Every `--format` of `gemleak check`, shared by the config file (`format = "sarif"`), the command
 * line and the reporters; each is one reporter over the same check result.
 */
export const CHECK_FORMATS = ['text', 'table', 'json', 'sarif', 'github', 'markdown', 'junit'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];
