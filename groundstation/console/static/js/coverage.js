// The console's district-coverage picture: the drawn outline, the station's answer, the shown layer.

const CELL_DEFAULT_M = 100;

/** The coverage picture kept in the console state (survives panel rebuilds and language changes). */
export function coverageState(state) {
  if (!state.coverage) state.coverage = { outline: [], cellM: CELL_DEFAULT_M, result: null, layer: null };
  return state.coverage;
}

/** The station's ring keys (seconds, as text) in increasing order. */
export function ringKeys(result) {
  return Object.keys(result.union).sort((a, b) => Number(a) - Number(b));
}

/** A share (0..1) as a percentage with one decimal. */
export function sharePct(share) {
  return `${(share * 100).toFixed(1)}%`;
}
