import { VerificationChain } from './verification-chain';

describe('VerificationChain', () => {
  it('runs steps one after another, in the order queued', async () => {
    const chain = new VerificationChain();
    const order: string[] = [];
    const step = (name: string, ms: number) => () => new Promise<void>((resolve) => setTimeout(() => (order.push(name), resolve()), ms));
    const first = chain.then(step('first', 20));
    const second = chain.then(step('second', 0));
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });

  it('after a failure runs nothing more: later steps reject with the same error', async () => {
    const chain = new VerificationChain();
    const ran: string[] = [];
    const failed = chain.then(async () => {
      throw new Error('verification of part 1 failed');
    });
    const later = chain.then(async () => {
      ran.push('part 2');
    });
    await expect(failed).rejects.toThrow('verification of part 1 failed');
    await expect(later).rejects.toThrow('verification of part 1 failed');
    expect(ran).toEqual([]);
    expect(() => chain.throwIfFailed()).toThrow('verification of part 1 failed');
    await expect(chain.settled()).resolves.toBeUndefined();
  });
});
