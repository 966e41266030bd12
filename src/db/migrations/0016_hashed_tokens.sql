-- Session tokens and one-time identifiers (password-reset tokens, two-factor challenges) are kept
-- only as SHA-256, base64url without padding: the form lib/auth-adapter.ts and better-auth's
-- `verification.storeIdentifier: 'hashed'` compute. Cookies and emailed links keep the raw value,
-- so everyone signed in stays signed in and every reset link still works. Rows already in that form
-- (43 base64url characters) are left alone.
-- The auth secret a previous release kept in clear in instance_settings is sealed under the
-- encryption key and its clear row deleted by the first process that starts (lib/secrets.ts):
-- SQL has no access to the key, and deleting it here would sign everyone out.
update sessions
   set token = rtrim(translate(encode(sha256(convert_to(token, 'UTF8')), 'base64'), '+/', '-_'), '=')
 where token !~ '^[A-Za-z0-9_-]{43}$';
--> statement-breakpoint
update verifications
   set identifier = rtrim(translate(encode(sha256(convert_to(identifier, 'UTF8')), 'base64'), '+/', '-_'), '=')
 where identifier !~ '^[A-Za-z0-9_-]{43}$';
