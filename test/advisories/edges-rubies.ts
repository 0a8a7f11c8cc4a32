/**
 * Edge rows of the bundled interpreter advisories (`advisories/rubies/ruby/<id>.yml`): advisory id (the
 * file name, which is the bugs.ruby-lang.org ticket), a Ruby version, and whether that version is flagged.
 * Each advisory has its last leaky and first patched version per release line, and, where it gives a
 * start, the first leaky version and the last one before it. `applies_when` is not part of the version
 * match: a row says what the version ranges flag.
 */
import type { RubyEdgeRow } from './edge-row.js';

export const ROWS_RUBIES: readonly RubyEdgeRow[] = [
  ['ruby', '18014', '2.7.8', false],
  ['ruby', '18014', '3.0.0', true],
  ['ruby', '18014', '3.0.2', true],
  ['ruby', '18014', '3.0.3', false],
  ['ruby', '18014', '3.1.0', false],
  ['ruby', '18065', '3.0.1', false],
  ['ruby', '18065', '3.0.2', true],
  ['ruby', '18065', '3.0.3', false],
  ['ruby', '18065', '2.7.8', false],
  ['ruby', '20145', '3.0.7', false],
  ['ruby', '20145', '3.1.0', true],
  ['ruby', '20145', '3.2.9', true],
  ['ruby', '20145', '3.3.0', true],
  ['ruby', '20145', '3.3.1', false],
  ['ruby', '20145', '3.4.0', false],
  ['ruby', '20149', '3.2.9', false],
  ['ruby', '20149', '3.3.0', true],
  ['ruby', '20149', '3.3.1', false],
  ['ruby', '20209', '3.0.7', false],
  ['ruby', '20209', '3.1.0', true],
  ['ruby', '20209', '3.3.0', true],
  ['ruby', '20209', '3.3.1', false],
  ['ruby', '20209', '3.4.1', false],
  ['ruby', '20228', '3.1.7', false],
  ['ruby', '20228', '3.2.0', true],
  ['ruby', '20228', '3.3.0', true],
  ['ruby', '20228', '3.3.1', false],
  ['ruby', '20521', '3.2.2', false],
  ['ruby', '20521', '3.3.0', true],
  ['ruby', '20521', '3.3.2', true],
  ['ruby', '20521', '3.3.3', false],
  ['ruby', '20521', '3.4.0', false],
  ['ruby', '20650', '3.1.7', false],
  ['ruby', '20650', '3.2.0', true],
  ['ruby', '20650', '3.3.4', true],
  ['ruby', '20650', '3.3.5', false],
  ['ruby', '20650', '3.4.0', false],
  ['ruby', '20653', '3.1.7', false],
  ['ruby', '20653', '3.2.0', true],
  ['ruby', '20653', '3.3.4', true],
  ['ruby', '20653', '3.3.5', false],
  ['ruby', '21383', '3.3.9', false],
  ['ruby', '21383', '3.4.0', true],
  ['ruby', '21383', '3.4.4', true],
  ['ruby', '21383', '3.4.5', false],
  ['ruby', '21383', '3.5.0', false],
];
