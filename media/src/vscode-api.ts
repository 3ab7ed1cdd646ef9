/** The API VS Code injects into webviews (the harness provides the same function). */
import type { ViewerState, ViewerToHost } from './protocol';

export interface VsCodeApi {
  postMessage(message: ViewerToHost): void;
  getState(): ViewerState | undefined;
  setState(state: ViewerState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function vscodeApi(): VsCodeApi {
  return acquireVsCodeApi();
}
