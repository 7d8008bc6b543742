import { describe, expect, it } from 'vitest'
import { etaKind, lastStepReached, stepperFor, timelineAction } from '../stepper'
import type { PublicEvent } from '../tracking'

const at = '2026-12-01T02:00:00+00:00'
const event = (action: string, to_status: string | null): PublicEvent => ({ action, to_status, at, comment: null })

function states(status: string, step: string, timeline: PublicEvent[] = []) {
  const stepper = stepperFor({ status, step, timeline })
  return { condition: stepper.condition, at: stepper.at, states: stepper.steps.map((s) => s.state).join(' ') }
}

describe('stepperFor', () => {
  it.each([
    ['new', 'new', 'current upcoming upcoming upcoming upcoming upcoming'],
    ['assigned', 'assigned', 'done current upcoming upcoming upcoming upcoming'],
    ['accepted', 'assigned', 'done current upcoming upcoming upcoming upcoming'],
    ['en_route', 'en_route', 'done done current upcoming upcoming upcoming'],
    ['in_progress', 'in_progress', 'done done done current upcoming upcoming'],
    ['completed', 'completed', 'done done done done current upcoming'],
    ['closed', 'closed', 'done done done done done done'],
  ])('%s (step %s)', (status, step, expected) => {
    expect(states(status, step)).toEqual({ condition: 'normal', at: step, states: expected })
  })

  it('shows a job on hold as paused on site', () => {
    expect(states('on_hold', 'in_progress')).toEqual({
      condition: 'on_hold',
      at: 'in_progress',
      states: 'done done done current upcoming upcoming',
    })
  })

  it('stops a cancelled job after the last step it reached', () => {
    const timeline = [event('create', 'new'), event('assign', 'assigned'), event('comment', null), event('cancel', 'cancelled')]
    expect(states('cancelled', 'cancelled', timeline)).toEqual({
      condition: 'cancelled',
      at: 'assigned',
      states: 'done done upcoming upcoming upcoming upcoming',
    })
    expect(states('cancelled', 'cancelled')).toEqual({
      condition: 'cancelled',
      at: 'new',
      states: 'done upcoming upcoming upcoming upcoming upcoming',
    })
  })

  it('falls back to the first step for a step it does not know', () => {
    expect(states('something_new', 'something_new').at).toBe('new')
  })

  it('has the steps in the order the customer reads them', () => {
    expect(stepperFor({ status: 'new', step: 'new', timeline: [] }).steps.map((s) => s.key)).toEqual([
      'new',
      'assigned',
      'en_route',
      'in_progress',
      'completed',
      'closed',
    ])
  })
})

describe('lastStepReached', () => {
  it('reads the timeline backwards, skipping events that changed no step', () => {
    expect(lastStepReached([event('create', 'new'), event('start_travel', 'en_route'), event('comment', null)])).toBe(
      'en_route',
    )
    expect(lastStepReached([])).toBe('new')
  })
})

describe('etaKind', () => {
  it.each([
    ['new', 'new', 'response'],
    ['assigned', 'assigned', 'arrival'],
    ['accepted', 'assigned', 'arrival'],
    ['en_route', 'en_route', 'arrival'],
    ['in_progress', 'in_progress', null],
    ['on_hold', 'in_progress', null],
    ['completed', 'completed', null],
    ['closed', 'closed', null],
    ['cancelled', 'cancelled', null],
  ])('%s -> %s', (status, step, kind) => {
    expect(etaKind(stepperFor({ status, step, timeline: [] }))).toBe(kind)
  })
})

describe('timelineAction', () => {
  it('keeps known actions and reads anything else as an update', () => {
    expect(timelineAction('start_travel')).toBe('start_travel')
    expect(timelineAction('attachment')).toBe('attachment')
    expect(timelineAction('eta_changed')).toBe('update')
  })
})
