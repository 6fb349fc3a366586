import { isPublishVerdict, PublishVerdicts } from './publish-request';

describe('isPublishVerdict', () => {
  it.each([
    ['PublishVerdicts.accept()', PublishVerdicts.accept()],
    ['{ accepted: true }', { accepted: true }],
    ['PublishVerdicts.reject(reason)', PublishVerdicts.reject('Unknown key')],
    ['a rejection without a code', { accepted: false, reason: 'Unknown key' }],
    ['a rejection with code BadName', PublishVerdicts.reject('no', 'BadName')],
    ['a rejection with code Unauthorized', PublishVerdicts.reject('no', 'Unauthorized')],
    ['a rejection with code Denied', PublishVerdicts.reject('no', 'Denied')],
    ['a rejection with code Rejected', PublishVerdicts.reject('no', 'Rejected')],
    ['a rejection with an empty reason', { accepted: false, reason: '' }],
  ])('accepts %s', (_, value) => {
    expect(isPublishVerdict(value)).toBe(true);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ["'yes'", 'yes'],
    ['true', true],
    ['1', 1],
    ['{}', {}],
    ['[]', []],
    ["{ accepted: 'true' }", { accepted: 'true' }],
    ['{ accepted: 1 }', { accepted: 1 }],
    ['a rejection without a reason', { accepted: false }],
    ['a rejection with a non-string reason', { accepted: false, reason: 42 }],
    ['a rejection with an unknown code', { accepted: false, reason: 'no', code: 'Nope' }],
    ['a rejection with a non-string code', { accepted: false, reason: 'no', code: 1 }],
    ['a promise', Promise.resolve({ accepted: true })],
  ])('refuses %s', (_, value) => {
    expect(isPublishVerdict(value)).toBe(false);
  });
});

describe('PublishVerdicts', () => {
  it('builds an acceptance', () => {
    expect(PublishVerdicts.accept()).toEqual({ accepted: true });
  });

  it('builds a rejection, BadName unless told otherwise', () => {
    expect(PublishVerdicts.reject('Unknown key')).toEqual({
      accepted: false,
      reason: 'Unknown key',
      code: 'BadName',
    });
    expect(PublishVerdicts.reject('Banned', 'Denied')).toEqual({
      accepted: false,
      reason: 'Banned',
      code: 'Denied',
    });
  });
});
