export * from './auth.js';
export * from './organizations.js';
export * from './system.js';
