/**
 * Training utilities with PyTorch semantics: the optimizers {@link dev.strix.nn.optim.Sgd},
 * {@link dev.strix.nn.optim.Adam} and {@link dev.strix.nn.optim.AdamW} over {@link dev.strix.nn.optim.ParamGroup}s,
 * learning-rate schedules ({@link dev.strix.nn.optim.LrSchedule} and {@link dev.strix.nn.optim.Scheduler}),
 * gradient clipping ({@link dev.strix.nn.optim.GradClip}) and the model weight average
 * ({@link dev.strix.nn.optim.Ema}). Every update runs through the tensors' {@link dev.strix.nn.Device}.
 */
package dev.strix.nn.optim;
