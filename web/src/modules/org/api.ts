// The organisation's API (系统管理): users and their API tokens, the sign-in and number-reveal audits, units,
// areas, categories and dispatch rules, typed by the generated OpenAPI schema. Other modules read areas, units
// and categories through here too.
import { api, unwrap, type Category, type Query, type Schemas, type Unit, type User } from '@/api/client'
import type { Role } from '@/utils/enums'

export type Area = Schemas['AreaPublic']
export type DispatchRule = Schemas['DispatchRulePublic']
export type ApiToken = Schemas['ApiTokenPublic']

// ---------------------------------------------------------------- users and API tokens

/** Users, of one role or all. */
export function listUsers(role?: Role | ''): Promise<Schemas['UsersPublic']> {
  return unwrap(api.GET('/api/v1/users', { params: { query: role ? { role } : {} } }))
}

export function createUser(body: Schemas['UserCreate']): Promise<User> {
  return unwrap(api.POST('/api/v1/users', { body }))
}

export function updateUser(id: number, body: Schemas['UserUpdate']): Promise<User> {
  return unwrap(api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: id } }, body }))
}

/** Lets a locked-out account sign in again at once (audited). */
export async function unlockUser(id: number): Promise<void> {
  await unwrap(api.POST('/api/v1/users/{user_id}/unlock', { params: { path: { user_id: id } } }))
}

export type SignIn = Schemas['SignInPublic']
export type SignInQuery = Query<'auth-sign_ins'>

/** Sign-in attempts, newest first (登录记录). */
export function listSignIns(query: SignInQuery): Promise<Schemas['SignInsPublic']> {
  return unwrap(api.GET('/api/v1/auth/sign-ins', { params: { query } }))
}

export type PhoneReveal = Schemas['PhoneRevealPublic']
export type PhoneRevealQuery = Query<'customers-phone_reveals'>

/** 号码查看记录: who was shown which number whole, through which record, newest first. */
export function listPhoneReveals(query: PhoneRevealQuery): Promise<Schemas['PhoneRevealsPublic']> {
  return unwrap(api.GET('/api/v1/phone-reveals', { params: { query } }))
}

export function listApiTokens(): Promise<ApiToken[]> {
  return unwrap(api.GET('/api/v1/api-tokens'))
}

/** A new token; its secret is in the answer, once. */
export function issueApiToken(body: Schemas['ApiTokenCreate']): Promise<Schemas['ApiTokenIssued']> {
  return unwrap(api.POST('/api/v1/api-tokens', { body }))
}

export async function revokeApiToken(id: number): Promise<void> {
  await unwrap(api.DELETE('/api/v1/api-tokens/{token_id}', { params: { path: { token_id: id } } }))
}

// ---------------------------------------------------------------- units and areas

export async function loadUnits(): Promise<Unit[]> {
  return (await unwrap(api.GET('/api/v1/units'))).items
}

export function createUnit(body: Schemas['UnitCreate']): Promise<Unit> {
  return unwrap(api.POST('/api/v1/units', { body }))
}

export function updateUnit(id: number, body: Schemas['UnitUpdate']): Promise<Unit> {
  return unwrap(api.PATCH('/api/v1/units/{unit_id}', { params: { path: { unit_id: id } }, body }))
}

export async function listAreas(): Promise<Area[]> {
  return (await unwrap(api.GET('/api/v1/areas'))).items
}

export function getArea(id: number): Promise<Area> {
  return unwrap(api.GET('/api/v1/areas/{area_id}', { params: { path: { area_id: id } } }))
}

export function createArea(body: Schemas['AreaCreate']): Promise<Area> {
  return unwrap(api.POST('/api/v1/areas', { body }))
}

export function updateArea(id: number, body: Schemas['AreaUpdate']): Promise<Area> {
  return unwrap(api.PATCH('/api/v1/areas/{area_id}', { params: { path: { area_id: id } }, body }))
}

// ---------------------------------------------------------------- categories and dispatch rules

export async function listCategories(): Promise<Category[]> {
  return (await unwrap(api.GET('/api/v1/categories'))).items
}

export function createCategory(body: Schemas['CategoryCreate']): Promise<Category> {
  return unwrap(api.POST('/api/v1/categories', { body }))
}

export function updateCategory(id: number, body: Schemas['CategoryUpdate']): Promise<Category> {
  return unwrap(api.PATCH('/api/v1/categories/{category_id}', { params: { path: { category_id: id } }, body }))
}

export async function listDispatchRules(): Promise<DispatchRule[]> {
  return (await unwrap(api.GET('/api/v1/dispatch-rules'))).items
}

export function createDispatchRule(body: Schemas['DispatchRuleCreate']): Promise<DispatchRule> {
  return unwrap(api.POST('/api/v1/dispatch-rules', { body }))
}

export function updateDispatchRule(id: number, body: Schemas['DispatchRuleUpdate']): Promise<DispatchRule> {
  return unwrap(api.PATCH('/api/v1/dispatch-rules/{rule_id}', { params: { path: { rule_id: id } }, body }))
}

export async function deleteDispatchRule(id: number): Promise<void> {
  await unwrap(api.DELETE('/api/v1/dispatch-rules/{rule_id}', { params: { path: { rule_id: id } } }))
}
