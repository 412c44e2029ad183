/** Pure domain rules, importable by the server and the client (no Node-only imports here). */
export * from './idu.js';
export * from './lookup.js';
export * from './owners.js';
export * from './ownership.js';
export * from './rights.js';
export * from './delegation.js';
export * from './geometry.js';
export * from './delegation-land.js';
export * from './reports.js';
export * from './access.js';
export * from './access.js';
export * from './diagnostics.js';
export * from './parcel-overlaps.js';
export * from './photos.js';
export * from './stats.js';
export * from './bilans.js';
export * from './tokens.js';
export type * from './api.js';
