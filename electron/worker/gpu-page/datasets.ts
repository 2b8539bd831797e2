/** The datasets the GPU window's page can open: those made in memory (it has no disk). */
export const GPU_WINDOW_DATASETS: readonly string[] = ['shapes', 'denoise'];
