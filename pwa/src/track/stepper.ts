/**
 * The status stepper of the tracking page, from what the server says (`status`, `step` and the
 * public timeline). The page never works out statuses itself: this only decides how the
 * server's step is drawn.
 */
import type { PublicEvent } from './tracking'

/** The customer's steps, in order (the server's `steps`): received → … → closed. */
export const STEPS = ['new', 'assigned', 'en_route', 'in_progress', 'completed', 'closed'] as const
export type StepKey = (typeof STEPS)[number]

export type StepState = 'done' | 'current' | 'upcoming'
/** `on_hold`: paused at the current step; `cancelled`: stopped after the last step reached. */
export type Condition = 'normal' | 'on_hold' | 'cancelled'

export interface StepperStep {
  key: StepKey
  state: StepState
}

export interface Stepper {
  steps: StepperStep[]
  condition: Condition
  /** The step the order is at (for a cancelled order, the last one it reached). */
  at: StepKey
}

function isStep(value: string | null | undefined): value is StepKey {
  return (STEPS as readonly string[]).includes(value ?? '')
}

/** The last step a cancelled order reached, from its public timeline ('new' when none). */
export function lastStepReached(timeline: readonly PublicEvent[]): StepKey {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const step = timeline[i].to_status
    if (isStep(step)) return step
  }
  return 'new'
}

export function stepperFor(view: { status: string; step: string; timeline: readonly PublicEvent[] }): Stepper {
  const condition: Condition =
    view.step === 'cancelled' || view.status === 'cancelled'
      ? 'cancelled'
      : view.status === 'on_hold'
        ? 'on_hold'
        : 'normal'
  const at: StepKey =
    condition === 'cancelled' ? lastStepReached(view.timeline) : isStep(view.step) ? view.step : 'new'
  const index = STEPS.indexOf(at)
  const last = STEPS.length - 1
  const steps = STEPS.map((key, i): StepperStep => {
    let state: StepState = i < index ? 'done' : i === index ? 'current' : 'upcoming'
    // Closed is the end: nothing more is going on. A cancelled order's last step was done.
    if (i === index && (i === last || condition === 'cancelled')) state = 'done'
    return { key, state }
  })
  return { steps, condition, at }
}

/**
 * What the ETA means at this step: before anyone has the job, when someone will respond by;
 * once an engineer has it and until they arrive, when they will arrive; afterwards nothing.
 */
export function etaKind(stepper: Stepper): 'response' | 'arrival' | null {
  if (stepper.condition === 'cancelled') return null
  if (stepper.at === 'new') return 'response'
  if (stepper.at === 'assigned' || stepper.at === 'en_route') return 'arrival'
  return null
}

/** Timeline actions with their own wording; anything else reads as a plain update. */
export const TIMELINE_ACTIONS = [
  'create',
  'assign',
  'accept',
  'start_travel',
  'arrive',
  'hold',
  'resume',
  'complete',
  'sign_off',
  'customer_confirm',
  'customer_reject',
  'auto_close',
  'cancel',
  'reopen',
  'comment',
  'attachment',
] as const
export type TimelineAction = (typeof TIMELINE_ACTIONS)[number] | 'update'

export function timelineAction(action: string): TimelineAction {
  return (TIMELINE_ACTIONS as readonly string[]).includes(action) ? (action as TimelineAction) : 'update'
}
