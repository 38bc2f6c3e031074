// A short tone when a notification that must be acknowledged arrives (two for urgent ones). Best effort:
// a browser that has not been clicked yet may refuse to play sound, and then nothing happens.
let context: AudioContext | null = null

export function beep(urgent = false): void {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
    if (!Ctx) return
    context ??= new Ctx()
    const ctx = context
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined)
    const tones = urgent ? [0, 0.25] : [0]
    for (const start of tones) {
      const osc = ctx.createOscillator()
      const gain = ctx.createGain()
      osc.type = 'sine'
      osc.frequency.value = urgent ? 988 : 880
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + start)
      gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + start + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + start + 0.2)
      osc.connect(gain).connect(ctx.destination)
      osc.start(ctx.currentTime + start)
      osc.stop(ctx.currentTime + start + 0.22)
    }
  } catch {
    /* no sound: never mind */
  }
}
