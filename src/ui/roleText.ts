/** What the screen says about the node's role, in one place so every panel says the same. */

/** The one line a viewer reads where an operator has decision and pipeline controls. */
export const VIEWER_NOTE = 'Viewer: you can watch but not decide or run the pipeline';

/** The one line a viewer reads where an operator places points and sets what tracks are. */
export const VIEWER_EDIT_NOTE = 'Viewer: you can watch but not place points or change tracks';
