/** Whether the code panel is open beside the canvas, and which of its tabs is shown. */
import { ValueStore } from '../editor/store-core';

export type CodeTab = 'model' | 'pytorch';

export interface CodePanelState {
  readonly open: boolean;
  readonly tab: CodeTab;
}

export const codePanel = new ValueStore<CodePanelState>({ open: false, tab: 'model' });
