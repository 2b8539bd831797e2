/** The theme on the page: `data-theme` on <html> for the styles, following the system when the choice is 'system'. */
import { useEffect, useSyncExternalStore } from 'react';
import { useStore } from './hooks';
import { resolveTheme } from './layout-store';
import { layout } from './state';

const DARK_QUERY = '(prefers-color-scheme: dark)';

const subscribe = (listener: () => void) => {
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
};

/** Whether the operating system (or the browser) asks for dark colours; follows changes while running. */
export const useSystemPrefersDark = (): boolean => useSyncExternalStore(subscribe, () => window.matchMedia(DARK_QUERY).matches);

/** Sets the theme before the first render, so a light system does not see a dark flash. */
export const applyThemeNow = (): void => {
  document.documentElement.dataset.theme = resolveTheme(layout.getState().theme, window.matchMedia(DARK_QUERY).matches);
};

/** The theme shown now: the layout's choice, or the system's. */
export const useResolvedTheme = (): 'light' | 'dark' =>
  resolveTheme(
    useStore(layout, (state) => state.theme),
    useSystemPrefersDark(),
  );

/** Keeps <html data-theme> in step with the layout's choice and the system. */
export const useThemeOnPage = (): void => {
  const theme = useResolvedTheme();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
};
