// One small observable state object for the whole app; components read it through
// useApp() and re-render when it changes. No framework store needed at this size.
import { useEffect, useState } from 'preact/hooks';

export function createState(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    set(patch) {
      state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
      for (const l of listeners) l(state);
    },
    subscribe(l) { listeners.add(l); return () => listeners.delete(l); },
  };
}

/** useStateOf re-renders the component whenever the shared state changes. */
export function useStateOf(store) {
  const [s, setS] = useState(store.get());
  useEffect(() => store.subscribe(setS), [store]);
  return s;
}
