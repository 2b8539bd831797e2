/** The renderer's entry: connect to the host, then show the app. */
import '@xyflow/react/dist/style.css';
import './styles.css';
import { createRoot } from 'react-dom/client';
import { connect } from './api/client';
import { openProject } from './app/actions';
import { App } from './app/App';
import { listenForMenuCommands } from './app/menu-commands';
import { installPageGuards } from './app/page-guards';
import { startAutosave } from './app/autosave';
import { app } from './app/state';
import { applyThemeNow } from './app/theme';
import { training } from './training/training-store';

training.onFinished = (event) => {
  app.update((state) => ({
    unsavedResults: state.unsavedResults || event.weightsKept,
    hasWeights: state.hasWeights || event.weightsKept,
    project: state.project && event.run ? { ...state.project, runs: [...state.project.runs, event.run] } : state.project,
  }));
};

installPageGuards();
listenForMenuCommands();
applyThemeNow();
createRoot(document.getElementById('root')!).render(<App />);

/** The project the desktop app opened this window for (`?open=<path>`), if any. */
const projectToOpen = new URLSearchParams(window.location.search).get('open');

connect(() =>
  app.update({ connectionError: 'The connection to the CNN Studio host was lost. Restart `cnn-studio serve` and reload.' }),
).then(
  ({ api, host }) => {
    app.update({ api, host });
    if (projectToOpen) void openProject(projectToOpen);
    startAutosave(api);
  },
  (error: unknown) => app.update({ connectionError: error instanceof Error ? error.message : String(error) }),
);
