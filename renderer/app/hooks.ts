/** React's view of the framework-free stores. */
import { useSyncExternalStore } from 'react';
import type { Store } from '../editor/store-core';

/** A part of a store's state; `select` must return a value already in the state (or a primitive). */
export const useStore = <S, T>(store: Store<S>, select: (state: S) => T): T =>
  useSyncExternalStore(store.subscribe, () => select(store.getState()));
