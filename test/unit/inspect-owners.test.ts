import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  claimsOf,
  concernsRelease,
  managerKind,
  ownershipOf,
  topLevelFields,
} from '../../src/inspect/owners.ts';
import type { LiveObject } from '../../src/kube/types.ts';

function object(metadata: Partial<LiveObject['metadata']>, kind = 'Deployment'): LiveObject {
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'lf-web', namespace: 'shop', ...metadata } };
}

const berthLabels = { 'app.kubernetes.io/instance': 'lf', 'app.kubernetes.io/managed-by': 'berth' };

describe('claims', () => {
  test('berth, Helm, Argo CD, Flux and kapp marks are each recognised with their evidence', () => {
    const claims = claimsOf({
      labels: {
        ...berthLabels,
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
        'helm.toolkit.fluxcd.io/name': 'podinfo',
        'kapp.k14s.io/app': '1700000000',
      },
      annotations: {
        'meta.helm.sh/release-name': 'langfuse',
        'meta.helm.sh/release-namespace': 'shop',
        'argocd.argoproj.io/tracking-id': 'platform:apps/Deployment:shop/lf-web',
      },
    });
    assert.deepEqual(
      claims.map((c) => `${c.tool} ${c.owner}`),
      [
        'berth lf',
        'helm shop/langfuse',
        'argocd platform',
        'flux Kustomization flux-system/apps',
        'flux HelmRelease podinfo',
        'kapp 1700000000',
      ],
    );
  });

  test("Helm's managed-by label alone is a claim; app.kubernetes.io/instance alone is nobody's", () => {
    assert.deepEqual(claimsOf({ labels: { 'app.kubernetes.io/managed-by': 'Helm' } }), [
      { tool: 'helm', owner: '(unknown release)', evidence: 'label app.kubernetes.io/managed-by=Helm' },
    ]);
    assert.deepEqual(claimsOf({ labels: { 'app.kubernetes.io/instance': 'lf' } }), []);
    assert.deepEqual(claimsOf({ labels: { 'argocd.argoproj.io/instance': 'guestbook' } }), [
      { tool: 'argocd', owner: 'guestbook', evidence: 'label argocd.argoproj.io/instance' },
    ]);
  });
});

describe('field managers', () => {
  test('managers are sorted into berth, kubectl hand edits, GitOps tools and controllers', () => {
    const kinds = [
      ['berth', undefined],
      ['kubectl-edit', undefined],
      ['kubectl-client-side-apply', undefined],
      ['before-first-apply', undefined],
      ['kubectl', undefined],
      ['helm', undefined],
      ['argocd-controller', undefined],
      ['kustomize-controller', undefined],
      ['kapp', undefined],
      ['kube-controller-manager', 'status'],
      ['my-tool', 'status'],
      ['my-tool', undefined],
    ].map(([manager, subresource]) => managerKind({ manager, ...(subresource ? { subresource } : {}) }));
    assert.deepEqual(kinds, [
      'berth',
      'kubectl',
      'kubectl',
      'kubectl',
      'kubectl',
      'helm',
      'argocd',
      'flux',
      'kapp',
      'controller',
      'controller',
      'other',
    ]);
  });

  test('top-level fields, with metadata split into its parts', () => {
    assert.deepEqual(
      topLevelFields({
        'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:annotations': {} },
        'f:spec': { 'f:replicas': {} },
        'f:data': {},
        '.': {},
      }),
      ['data', 'metadata.annotations', 'metadata.labels', 'spec'],
    );
  });
});

describe('ownership of an object', () => {
  test('berth alone (with controllers) is uncontested; a kubectl edit of spec contests it', () => {
    const managedFields = [
      { manager: 'berth', operation: 'Apply', fieldsV1: { 'f:spec': {}, 'f:metadata': { 'f:labels': {} } } },
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        subresource: 'status',
        fieldsV1: { 'f:status': {} },
      },
    ];
    const ours = ownershipOf(object({ labels: berthLabels, managedFields }), 'lf', true);
    assert.equal(ours.contested, false);
    assert.equal(ours.object, 'Deployment/lf-web');
    assert.deepEqual(
      ours.managers.map((m) => `${m.manager}:${m.fields.join(',')}`),
      ['berth:metadata.labels,spec', 'kube-controller-manager:status'],
    );
    const edited = ownershipOf(
      object({
        labels: berthLabels,
        managedFields: [
          ...managedFields,
          { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
        ],
      }),
      'lf',
      true,
    );
    assert.equal(edited.contested, true);
    assert.deepEqual(edited.managers.at(-1), {
      manager: 'kubectl-edit',
      kind: 'kubectl',
      operation: 'Update',
      subresource: undefined,
      time: undefined,
      fields: ['spec'],
    });
  });

  test("an object of another berth release that bears this release's name is contested", () => {
    const labels = { ...berthLabels, 'app.kubernetes.io/instance': 'lf-test' };
    const other = ownershipOf(object({ name: 'lf-test-web', labels }), 'lf', false);
    assert.equal(other.contested, true);
    assert.equal(ownershipOf(object({ name: 'lf-test-web', labels }), 'lf-test', true).contested, false);
  });

  test('an object Helm labelled is contested even without other managers', () => {
    const helm = ownershipOf(object({ labels: { 'app.kubernetes.io/managed-by': 'Helm' } }), 'lf', false);
    assert.equal(helm.contested, true);
    assert.deepEqual(
      helm.claims.map((c) => c.tool),
      ['helm'],
    );
  });

  test('objects of the release: recorded, its instance label, its Helm release, or its name', () => {
    const named = (name: string, metadata: Partial<LiveObject['metadata']> = {}) =>
      concernsRelease(object({ name, ...metadata }), 'lf', false);
    assert.equal(concernsRelease(object({ name: 'other' }), 'lf', true), true);
    assert.equal(named('other', { labels: { 'app.kubernetes.io/instance': 'lf' } }), true);
    assert.equal(named('other', { annotations: { 'meta.helm.sh/release-name': 'lf' } }), true);
    assert.equal(named('lf'), true);
    assert.equal(named('lf-web'), true);
    assert.equal(named('lfx-web'), false);
    assert.equal(named('berth.lf.v1'), false);
  });
});
