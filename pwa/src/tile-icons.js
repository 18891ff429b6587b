// The glyph of each tile icon name the agency API accepts (ingest's tileIcons): emoji, so they
// cost no bytes of artwork and follow the reader's platform. Unknown names get the info glyph.
export const TILE_ICONS = {
  book: '📚', building: '🏢', calendar: '📅', care: '🤝', child: '🧒', document: '📄', health: '🩺', home: '🏠', info: 'ℹ️',
  key: '🔑', leaf: '🍃', money: '💰', people: '👥', recycle: '♻️', school: '🏫', sport: '⚽', transport: '🚌',
};

/** tileGlyph is the glyph for an icon name. */
export const tileGlyph = (name) => TILE_ICONS[name] || TILE_ICONS.info;
