/**
 * Multi-task loss-combination strategies: how the detector's per-task losses ({@code cls}, {@code box} and the
 * auxiliary {@code ctr}) become parameter gradients. All implement {@link dev.strix.detection.mtl.MtlStrategy} and
 * are created by name through {@link dev.strix.detection.mtl.StrategyFactory}: fixed weights ({@code weighted},
 * {@code equal}, {@code coupled}), one trunk per task ({@code independent}), learned uncertainty weights
 * ({@code uncertainty}, Kendall et al. 2018), gradient normalisation ({@code gradnorm}, Chen et al. 2018), dynamic
 * weight average ({@code dwa}, Liu et al. 2019) and gradient surgery ({@code pcgrad}, Yu et al. 2020). Each step
 * reports per-task loss, weight and, when measured, the gradient norm on the shared trunk and the cosine similarity
 * between task gradients there ({@link dev.strix.detection.mtl.StepResult}).
 */
package dev.strix.detection.mtl;
