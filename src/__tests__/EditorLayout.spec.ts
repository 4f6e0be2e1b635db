import {
  EditorLayout,
  ILayoutStorage,
  LAYOUT_STORAGE_KEY,
  MAX_PROPERTIES_WIDTH,
  MIN_PROPERTIES_WIDTH,
  minimapSizeFor,
  panelShown,
  parseLayoutState,
  propertiesWidthFor,
  widthBand
} from '../model/EditorLayout';

class MemoryStorage implements ILayoutStorage {
  items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe('propertiesWidthFor', () => {
  it('keeps the chosen width within bounds', () => {
    expect(propertiesWidthFor(50, 2000)).toBe(MIN_PROPERTIES_WIDTH);
    expect(propertiesWidthFor(5000, 4000)).toBe(MAX_PROPERTIES_WIDTH);
    expect(propertiesWidthFor(320, 2000)).toBe(320);
  });

  it('leaves the canvas at least half of a narrow editor', () => {
    expect(propertiesWidthFor(400, 600)).toBe(300);
    expect(propertiesWidthFor(300, 300)).toBe(150);
  });
});

describe('minimapSizeFor', () => {
  it('hides the minimap on a narrow canvas and shrinks it with the canvas', () => {
    expect(minimapSizeFor(300, 700)).toBeNull();
    const small = minimapSizeFor(600, 700)!;
    const large = minimapSizeFor(1400, 700)!;
    expect(small.width).toBeLessThan(large.width);
    expect(small.width).toBeLessThanOrEqual(600 * 0.25);
  });
});

describe('panelShown', () => {
  it('follows the choice, or else the width of the editor', () => {
    expect(panelShown(false, true, 2000)).toBe(false);
    expect(panelShown(true, false, 300)).toBe(true);
    expect(panelShown(null, true, 1200)).toBe(true);
    expect(panelShown(null, true, 500)).toBe(false);
    expect(panelShown(null, false, 1200)).toBe(false);
    expect(panelShown(null, true, 900, 1100)).toBe(false);
  });
});

describe('EditorLayout', () => {
  it('remembers the choices in the storage, for the next editor', () => {
    const storage = new MemoryStorage();
    const layout = new EditorLayout(storage);
    let changes = 0;
    layout.changed.connect(() => changes++);
    layout.update({ propertiesWidth: 420, propertiesShown: false });
    layout.update({ minimapShown: false });
    layout.update({ minimapShown: false });
    layout.update({ paletteShown: false });
    expect(changes).toBe(3);
    const next = new EditorLayout(storage);
    expect(next.state).toEqual({
      propertiesWidth: 420,
      propertiesShown: false,
      minimapShown: false,
      paletteShown: false
    });
  });

  it('ignores malformed stored choices, and works without storage', () => {
    expect(
      parseLayoutState('{"propertiesWidth": "wide"}').propertiesWidth
    ).toBe(300);
    expect(parseLayoutState('not json').minimapShown).toBe(true);
    const storage = new MemoryStorage();
    storage.setItem(LAYOUT_STORAGE_KEY, '[1, 2]');
    expect(new EditorLayout(storage).state.propertiesShown).toBeNull();
    const layout = new EditorLayout(null);
    layout.update({ propertiesWidth: 10 });
    expect(layout.state.propertiesWidth).toBe(MIN_PROPERTIES_WIDTH);
  });
});

describe('widthBand', () => {
  it('tells which panel widths an editor is below', () => {
    expect(widthBand(0)).toBe(0);
    expect(widthBand(500)).toBe(2);
    expect(widthBand(900)).toBe(1);
    expect(widthBand(1200)).toBe(0);
  });
});
