/**
 * The commands this package adds to the `byteair-sync` CLI (`byteair-sync emulator`,
 * `byteair-sync demo`): the product's command list loads this module by name when the
 * package is installed, as it is in a checkout and in the emulator's image.
 */
export { register as registerEmulator } from './emulator.js';
export { registerDemo } from './demo.js';
