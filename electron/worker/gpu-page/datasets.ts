/** The datasets the GPU window's page makes itself, in memory; it reads the others from main over its data port. */
export const GPU_WINDOW_DATASETS: readonly string[] = ['shapes', 'denoise'];
