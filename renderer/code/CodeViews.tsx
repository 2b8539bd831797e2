/** The code panel's Monaco views, in their own lazily loaded chunk with Monaco. The model code stays mounted, so its text and undo survive a tab switch. */
import type { CodeTab } from './code-panel-state';
import { ModelCodeView } from './ModelCodeView';
import { PytorchView } from './PytorchView';

const CodeViews = ({ tab }: { tab: CodeTab }) => (
  <>
    <ModelCodeView hidden={tab !== 'model'} />
    {tab === 'pytorch' && <PytorchView />}
  </>
);

export default CodeViews;
