/** User settings that affect open pipeline editors. */
export interface IPipelineEditorSettings {
  /** Validate while the text changes (debounced), not only on open and save. */
  validateOnChange: boolean;
  /** Debounce delay of validation while editing, in milliseconds. */
  validationDelay: number;
  /** Show the properties panel beside the canvas. */
  showProperties: boolean;
}

/** Settings used when the settings registry is not available. */
export const DEFAULT_EDITOR_SETTINGS: IPipelineEditorSettings = {
  validateOnChange: true,
  validationDelay: 300,
  showProperties: true
};
