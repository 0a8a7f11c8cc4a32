/**
 * The YAML parser, re-exported for modules that load it lazily. `await import('yaml')` cannot be
 * used for that: yaml is CommonJS, and in the bundled CLI a dynamic import of a CommonJS package
 * exposes only `default`, so named imports would be undefined. A static import here keeps them.
 */
export { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
