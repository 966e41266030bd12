import { useCallback, useState } from 'react';

function read<T>(key: string, fallback: T): T {
  try {
    const raw = window.localStorage.getItem(key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}

/** State mirrored to localStorage under `key` (JSON). Unreadable or missing values give `fallback`. */
export function useLocalStorage<T>(key: string, fallback: T): [T, (next: T | ((prev: T) => T)) => void] {
  const [state, setState] = useState<{ key: string; value: T }>(() => ({ key, value: read(key, fallback) }));
  // The key changed (e.g. another organisation): read that key's value.
  const current = state.key === key ? state.value : read(key, fallback);
  if (state.key !== key) setState({ key, value: current });
  const set = useCallback(
    (next: T | ((prev: T) => T)) => {
      setState((prev) => {
        const base = prev.key === key ? prev.value : read(key, fallback);
        const value = typeof next === 'function' ? (next as (p: T) => T)(base) : next;
        try {
          window.localStorage.setItem(key, JSON.stringify(value));
        } catch {
          // Storage full or disabled: keep the value for this session only.
        }
        return { key, value };
      });
    },
    [key, fallback],
  );
  return [current, set];
}
