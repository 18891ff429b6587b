// Contract-shaped sample data for the dev mock server (docs/citizen-api.md).
// Dev only: never imported by the app bundle.
const hours = (h) => new Date(Date.now() + h * 3600e3).toISOString();

export function fixtures() {
  const kommune = { slug: 'oslo-kommune', name: 'Oslo kommune' };
  const nav = { slug: 'bydel-frogner', name: 'Bydel Frogner' };
  const ola = { id: 'p-ola', name: 'Ola Nordmann' };
  const cases = [
    { id: 'c1', agency: kommune, title: 'Søknad om barnehageplass', status: 'awaiting_citizen', nextAction: { text: 'Svar på tilbud om plass', dueAt: hours(72) }, updatedAt: hours(-5), deepLink: 'https://example.org/case/1', subject: ola, seenAt: null },
    { id: 'c2', agency: nav, title: 'Byggesak: tilbygg garasje', status: 'in_progress', nextAction: null, updatedAt: hours(-30), deepLink: null, subject: null, seenAt: hours(-20) },
    { id: 'c3', agency: kommune, title: 'Parkeringstillatelse beboer', status: 'decided', nextAction: null, updatedAt: hours(-100), deepLink: null, subject: null, seenAt: hours(-90) },
  ];
  const bookings = [
    { id: 'b1', agency: kommune, resource: 'Gymsal, Majorstuen skole', place: { name: 'Majorstuen skole', address: 'Gørbitz gate 1' }, startsAt: hours(26), endsAt: hours(28), status: 'confirmed', cancellableUntil: hours(20), canCancel: true, keyId: 'k1', subject: null },
    { id: 'b2', agency: kommune, resource: 'Møterom 2, Deichman Bjørvika', place: { name: 'Deichman Bjørvika', address: 'Anne-Cath. Vestlys plass 1' }, startsAt: hours(120), endsAt: hours(122), status: 'confirmed', cancellableUntil: null, canCancel: false, keyId: null, subject: null },
  ];
  const keys = [
    { id: 'k1', agency: kommune, facility: { name: 'Majorstuen skole', address: 'Gørbitz gate 1' }, accessPoints: [{ id: 'ap1', name: 'Hovedinngang' }, { id: 'ap2', name: 'Gymsal' }], status: 'active', validNow: true, nextWindow: null, bookingId: 'b1', subject: null },
    { id: 'k2', agency: kommune, facility: { name: 'Tøyen kulturhus', address: 'Hagegata 28' }, accessPoints: [{ id: 'ap3', name: 'Sideinngang' }], status: 'active', validNow: false, nextWindow: { startsAt: hours(50), endsAt: hours(53) }, bookingId: null, subject: null },
  ];
  const notifications = [
    { id: 'n1', agency: kommune, category: 'cases', title: 'Tilbud om barnehageplass', body: 'Du har fått tilbud om plass. Svar innen fristen.', link: '/cases/c1', urgency: 'normal', createdAt: hours(-5), readAt: null },
    { id: 'n2', agency: kommune, category: 'bookings', title: 'Bookingen din er bekreftet', body: 'Gymsal, Majorstuen skole.', link: '/bookings', urgency: 'low', createdAt: hours(-26), readAt: null },
    { id: 'n3', agency: null, category: 'general', title: 'Velkommen til Min side', body: null, link: null, urgency: 'low', createdAt: hours(-400), readAt: hours(-390) },
  ];
  const tiles = [
    { id: 't1', agency: kommune, title: 'Søk om skoleplass', description: 'Søknad om plass på en annen skole enn nærskolen.', link: 'https://example.org/skole', icon: 'school', category: 'education' },
    { id: 't2', agency: kommune, title: 'Bestill henting av grovavfall', description: 'Få hentet møbler og annet stort avfall.', link: 'https://example.org/avfall', icon: 'waste', category: 'environment' },
    { id: 't3', agency: nav, title: 'Lån et lokale', description: 'Book gymsaler, møterom og kulturhus.', link: '/bookings', icon: 'building', category: 'culture' },
  ];
  const me = {
    id: 'u-kari', name: 'Kari Nordmann', pidMasked: '010190*****', birthDate: '1990-01-01', language: 'nb', csrfToken: 'csrf-dev-token',
    sharedDevice: false, roles: [], actingAs: null,
    represents: [{ id: ola.id, name: ola.name, relation: 'guardian', scopes: null, validUntil: null, needsAction: 1 }],
  };
  return { me, cases, bookings, keys, notifications, tiles, people: [{ id: ola.id, name: ola.name, relation: 'guardian', needsAction: 1 }] };
}

export const config = {
  mode: 'dev',
  languages: [
    { code: 'nb', name: 'Norsk bokmål', dir: 'ltr' },
    { code: 'nn', name: 'Norsk nynorsk', dir: 'ltr' },
    { code: 'en', name: 'English', dir: 'ltr' },
    { code: 'se', name: 'Davvisámegiella', dir: 'ltr' },
    { code: 'ar', name: 'العربية', dir: 'rtl' },
    { code: 'ur', name: 'اردو', dir: 'rtl' },
    { code: 'pl', name: 'Polski', dir: 'ltr' },
  ],
  defaultLanguage: 'nb',
  vapidPublicKey: 'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U',
  loginUrl: '/auth/login',
  version: 'dev',
};

// A few messages so plural forms and right-to-left can be checked by eye.
export const messages = {
  ar: {
    'ui.app_name': 'صفحتي', 'ui.nav.overview': 'نظرة عامة', 'ui.nav.cases': 'القضايا', 'ui.nav.bookings': 'الحجوزات',
    'ui.nav.keys': 'المفاتيح', 'ui.nav.notifications': 'الإشعارات', 'ui.nav.services': 'الخدمات', 'ui.nav.settings': 'الإعدادات',
    'ui.overview.needs_action': 'يحتاج إلى إجراء منك', 'ui.overview.upcoming': 'القادم', 'ui.overview.keys': 'المفاتيح',
    'ui.overview.whats_new': 'ما الجديد', 'ui.overview.recommended': 'خدمات مقترحة', 'ui.overview.hello': 'مرحباً {name}',
    'ui.overview.unread': { zero: 'لا توجد رسائل غير مقروءة', one: 'رسالة واحدة غير مقروءة', two: 'رسالتان غير مقروءتين', few: '{count} رسائل غير مقروءة', many: '{count} رسالة غير مقروءة', other: '{count} رسالة غير مقروءة' },
    'ui.skip_link': 'انتقل إلى المحتوى',
  },
  en: {
    'ui.app_name': 'Min side', 'ui.overview.hello': 'Hello, {{.Name}}',
    'ui.overview.unread': { one: '{{.Count}} unread message', other: '{{.Count}} unread messages' },
  },
};
