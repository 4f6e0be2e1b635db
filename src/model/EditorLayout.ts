/**
 * The pipeline editor's layout choices the user makes with the mouse: the
 * properties panel's width and whether it is shown, whether the minimap is
 * shown. Remembered for every editor in the browser's storage.
 */
import { ISignal, Signal } from '@lumino/signaling';

/** Where the choices are kept (the browser's localStorage, or a fake). */
export interface ILayoutStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The browser's localStorage, or null where there is none. */
export function browserStorage(): ILayoutStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** What is remembered. */
export interface IEditorLayoutState {
  /** Width of the properties panel, in pixels. */
  propertiesWidth: number;
  /** Whether the properties panel is shown (null: as the settings say). */
  propertiesShown: boolean | null;
  /** Whether the minimap is shown (where the canvas is wide enough). */
  minimapShown: boolean;
  /** Whether the file palette is shown (null: when the editor is wide). */
  paletteShown: boolean | null;
}

export const LAYOUT_STORAGE_KEY = 'orchest-lab:editor-layout';
/** Bounds of the properties panel's width. */
export const MIN_PROPERTIES_WIDTH = 200;
export const MAX_PROPERTIES_WIDTH = 640;
/** The panel never takes more than this share of the editor's width. */
export const MAX_PROPERTIES_SHARE = 0.5;
/** Below this canvas width the minimap is hidden, whatever the choice. */
export const MINIMAP_MIN_CANVAS_WIDTH = 480;

export const DEFAULT_LAYOUT_STATE: IEditorLayoutState = {
  propertiesWidth: 300,
  propertiesShown: null,
  minimapShown: true,
  paletteShown: null
};

/**
 * Below this editor width, panels the user has not opened or closed
 * themselves start closed: the canvas comes first.
 */
export const NARROW_EDITOR_WIDTH = 760;
/** The file palette starts open only in editors at least this wide. */
export const PALETTE_EDITOR_WIDTH = 1100;

/**
 * Which of the widths panels open at an editor this wide is below (0 for an
 * editor not laid out yet): panels follow the width when this changes.
 */
export function widthBand(width: number): number {
  return width <= 0
    ? 0
    : [NARROW_EDITOR_WIDTH, PALETTE_EDITOR_WIDTH].filter(limit => width < limit)
        .length;
}

/** Whether a panel is shown: as the user chose, or as the width allows. */
export function panelShown(
  chosen: boolean | null,
  otherwise: boolean,
  editorWidth: number,
  minWidth = NARROW_EDITOR_WIDTH
): boolean {
  if (chosen !== null) {
    return chosen;
  }
  return otherwise && (editorWidth === 0 || editorWidth >= minWidth);
}

/**
 * The properties panel's width for an editor `editorWidth` pixels wide:
 * the chosen width within bounds, leaving the canvas at least half.
 */
export function propertiesWidthFor(
  chosen: number,
  editorWidth: number
): number {
  const bounded = Math.min(
    MAX_PROPERTIES_WIDTH,
    Math.max(MIN_PROPERTIES_WIDTH, Math.round(chosen))
  );
  if (editorWidth <= 0) {
    return bounded;
  }
  return Math.max(
    Math.min(MIN_PROPERTIES_WIDTH, editorWidth * MAX_PROPERTIES_SHARE),
    Math.min(bounded, Math.floor(editorWidth * MAX_PROPERTIES_SHARE))
  );
}

/** Size of the minimap for a canvas of this size (null: hidden). */
export function minimapSizeFor(
  canvasWidth: number,
  canvasHeight: number
): { width: number; height: number } | null {
  if (canvasWidth < MINIMAP_MIN_CANVAS_WIDTH || canvasHeight < 240) {
    return null;
  }
  const width = Math.round(Math.min(200, Math.max(120, canvasWidth * 0.18)));
  return { width, height: Math.round(width * 0.7) };
}

/** Read stored choices, ignoring what is missing or malformed. */
export function parseLayoutState(text: string | null): IEditorLayoutState {
  const state = { ...DEFAULT_LAYOUT_STATE };
  if (!text) {
    return state;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return state;
  }
  if (typeof value !== 'object' || value === null) {
    return state;
  }
  const stored = value as Record<string, unknown>;
  if (
    typeof stored.propertiesWidth === 'number' &&
    Number.isFinite(stored.propertiesWidth)
  ) {
    state.propertiesWidth = propertiesWidthFor(stored.propertiesWidth, 0);
  }
  if (typeof stored.propertiesShown === 'boolean') {
    state.propertiesShown = stored.propertiesShown;
  }
  if (typeof stored.minimapShown === 'boolean') {
    state.minimapShown = stored.minimapShown;
  }
  if (typeof stored.paletteShown === 'boolean') {
    state.paletteShown = stored.paletteShown;
  }
  return state;
}

/** The remembered layout choices. */
export class EditorLayout {
  constructor(storage: ILayoutStorage | null) {
    this._storage = storage;
    let text: string | null = null;
    try {
      text = storage?.getItem(LAYOUT_STORAGE_KEY) ?? null;
    } catch {
      // Storage can be refused (privacy settings): nothing is remembered.
    }
    this._state = parseLayoutState(text);
  }

  /** Emitted when a choice changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): Readonly<IEditorLayoutState> {
    return this._state;
  }

  /**
   * Whether the properties panel is shown in an editor `width` wide: as last
   * chosen, or else as the user's setting has it (when wide enough).
   */
  propertiesShown(setting: boolean, width: number): boolean {
    return panelShown(this._state.propertiesShown, setting, width);
  }

  /** Whether the file palette is shown: as last chosen, or when wide. */
  paletteShown(width: number): boolean {
    return panelShown(
      this._state.paletteShown,
      true,
      width,
      PALETTE_EDITOR_WIDTH
    );
  }

  /** Change some choices and remember them. */
  update(patch: Partial<IEditorLayoutState>): void {
    const next = { ...this._state, ...patch };
    next.propertiesWidth = propertiesWidthFor(next.propertiesWidth, 0);
    if (JSON.stringify(next) === JSON.stringify(this._state)) {
      return;
    }
    this._state = next;
    try {
      this._storage?.setItem(LAYOUT_STORAGE_KEY, JSON.stringify(next));
    } catch {
      // Not remembered; the choice still applies now.
    }
    this._changed.emit();
  }

  private _storage: ILayoutStorage | null;
  private _state: IEditorLayoutState;
  private _changed = new Signal<this, void>(this);
}
