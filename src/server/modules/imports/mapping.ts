import type { ImportTarget, StandardTarget } from '../../../common/imports.js';
import type { FieldDef } from '../fields/fields.repo.js';

export { STANDARD_TARGETS, type StandardTarget } from '../../../common/imports.js';
export type Target = ImportTarget;

const SYNONYMS: Record<StandardTarget, string[]> = {
  email: [
    'email',
    'e-mail',
    'email address',
    'e-mail address',
    'mail',
    'emailaddress',
    'primary email',
    'work email',
    'courriel',
    'correo',
    'correo electronico',
    'e-mail-adresse',
    'mailadresse',
    'email adres',
  ],
  firstName: [
    'first name',
    'firstname',
    'first',
    'given name',
    'forename',
    'vorname',
    'prenom',
    'nombre',
    'voornaam',
    'nome',
  ],
  lastName: [
    'last name',
    'lastname',
    'last',
    'surname',
    'family name',
    'nachname',
    'nom',
    'nom de famille',
    'apellido',
    'apellidos',
    'achternaam',
    'cognome',
  ],
  fullName: ['name', 'full name', 'fullname', 'contact name', 'contact', 'display name'],
  phone: [
    'phone',
    'phone number',
    'telephone',
    'tel',
    'mobile',
    'mobile phone',
    'cell',
    'work phone',
    'telefon',
    'telefonnummer',
    'handy',
    'telephone portable',
    'telefono',
    'movil',
  ],
  companyName: [
    'company',
    'company name',
    'organization',
    'organisation',
    'account',
    'account name',
    'employer',
    'firma',
    'unternehmen',
    'societe',
    'entreprise',
    'empresa',
    'bedrijf',
  ],
  jobTitle: [
    'job title',
    'title',
    'position',
    'role',
    'job',
    'jobtitle',
    'berufsbezeichnung',
    'position title',
    'poste',
    'cargo',
    'functie',
  ],
  source: ['source', 'lead source', 'origin', 'quelle'],
  tags: ['tags', 'tag', 'labels', 'label', 'lists', 'groups', 'schlagworte'],
  street: [
    'street',
    'address',
    'street address',
    'address 1',
    'address line 1',
    'strasse',
    'adresse',
    'direccion',
  ],
  city: ['city', 'town', 'stadt', 'ort', 'ville', 'ciudad'],
  region: ['state', 'region', 'province', 'county', 'bundesland'],
  postalCode: [
    'zip',
    'zip code',
    'postal code',
    'postcode',
    'plz',
    'postleitzahl',
    'code postal',
    'codigo postal',
  ],
  country: ['country', 'land', 'pays', 'pais'],
  subscriptionStatus: [
    'subscription status',
    'subscribed',
    'status',
    'email status',
    'marketing',
    'marketing email',
    'opt in',
    'opted in',
    'newsletter',
  ],
  consentBasis: ['consent basis', 'lawful basis', 'legal basis', 'basis'],
};

export function normaliseHeader(h: string): string {
  return h
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[_.]+/g, ' ')
    .replace(/[^a-z0-9@ -]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const LOOKUP = new Map<string, StandardTarget>();
for (const [target, names] of Object.entries(SYNONYMS) as [StandardTarget, string[]][]) {
  for (const n of names) LOOKUP.set(normaliseHeader(n), target);
}

/** Suggests a target per column from its header: custom fields (by label or key) first, then standard synonyms. */
export function suggestMapping(headers: string[], defs: FieldDef[]): Target[] {
  const used = new Set<string>();
  return headers.map((h) => {
    const n = normaliseHeader(h);
    const def = defs.find(
      (d) => d.entity === 'contact' && (normaliseHeader(d.label) === n || normaliseHeader(d.key) === n),
    );
    if (def && !used.has(`custom.${def.key}`)) {
      used.add(`custom.${def.key}`);
      return { type: 'custom', key: def.key };
    }
    const std = LOOKUP.get(n) ?? LOOKUP.get(n.replace(/ /g, ''));
    if (std && !used.has(std)) {
      used.add(std);
      return { type: 'standard', field: std };
    }
    return { type: 'ignore' };
  });
}
