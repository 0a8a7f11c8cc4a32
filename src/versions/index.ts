export { GemVersion, compareGemVersions, isValidGemVersion } from './version.js';
export { GemRequirement, isValidGemRequirement, satisfiesRequirement } from './requirement.js';
