// useMapModule loads the map's chunk (slippy-map.jsx) once a tile server is configured, and
// only then: without MINSIDE_MAP_TILES_URL no page ever fetches it, and the first load
// never carries it.
import { useEffect, useState } from 'preact/hooks';

/** useMapModule returns the map module ({SlippyMap, MapPicker}) when enabled and loaded, else null. */
export function useMapModule(enabled) {
  const [mod, setMod] = useState(null);
  useEffect(() => {
    if (enabled && !mod) import('./slippy-map.jsx').then(setMod, () => setMod(null));
  }, [enabled]);
  return mod;
}
