// Every module's job definitions, imported for their defineJob side effect.
import './modules/mail/mail.jobs.js';
import './modules/system/system.jobs.js';
import './modules/contacts/contacts.jobs.js';
import './modules/imports/imports.jobs.js';
import './modules/exports/exports.jobs.js';
import './modules/webhooks/webhooks.jobs.js';
import './modules/email/email.jobs.js';
import './modules/automations/engine.js';
import './modules/automations/triggers.js';
import './lib/events.js';
