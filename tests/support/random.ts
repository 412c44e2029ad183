/**
 * Seeded random numbers for the property tests (sub-sector perimeters drawn at random), so that a failure can be
 * replayed: the demo activity's mulberry32, the one definition in the code.
 */
export { prng } from '../../server/src/domain/demo-activity.js';
