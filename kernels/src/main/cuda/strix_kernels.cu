// The one translation unit compiled to strix_kernels.ptx: every kernel Strix launches through
// dev.strix.nn.cuda.CudaKernels. Kernel names carry a version suffix (fill_kernel1); a changed kernel with a
// changed signature gets a new suffix so a stale launcher fails at lookup rather than at run time.
//
// Legend: see each included file; n = element count, all float buffers are float32 device addresses.
#include "common.cuh"
#include "elementwise.cuh"
#include "activations.cuh"
#include "reductions.cuh"
#include "softmax.cuh"
#include "upsample.cuh"
#include "optimizers.cuh"
#include "losses.cuh"
