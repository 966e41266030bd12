export * from './auth.js';
export * from './automations.js';
export * from './contacts.js';
export * from './email.js';
export * from './exports.js';
export * from './imports.js';
export * from './organizations.js';
export * from './system.js';
