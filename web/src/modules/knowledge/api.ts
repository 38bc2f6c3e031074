// The knowledge base's API (issue 19): categories, articles with their versions, review (四眼原则) and
// attachments, the centre's Chinese search (articles and live outages), synonyms; and the FAQ bot's settings,
// its test box, its unanswered questions and the written channels' figures. Typed by the generated OpenAPI schema.
import { api, unwrap, upload, type Query, type Schemas } from '@/api/client'

export type KbCategory = Schemas['KbCategoryPublic']
export type KbArticle = Schemas['KbArticlePublic']
export type KbArticleDetail = Schemas['KbArticleDetail']
export type KbVersion = Schemas['KbVersionPublic']
export type KbEvent = Schemas['KbEventPublic']
export type KbAttachment = Schemas['KbAttachmentPublic']
export type KbArticleBody = Schemas['KbArticleIn']
export type KbArticlePatch = Schemas['KbArticlePatch']
export type KbHit = Schemas['KbHit']
export type KbOutageArticle = Schemas['KbOutageArticle']
export type KbKind = KbArticleBody['kind']
export type KbVisibility = NonNullable<KbArticleBody['visibility']>
export type BotSettings = Schemas['BotSettings']
export type BotWindow = Schemas['Window']
export type BotMode = BotSettings['mode']
export type BotReply = Schemas['BotAskOut']
export type BotQuestion = Schemas['BotUnanswered']
export type ChannelFigures = Schemas['ConversationFigures']

// ---------------------------------------------------------------- categories

export async function listCategories(): Promise<KbCategory[]> {
  return (await unwrap(api.GET('/api/v1/kb/categories'))).items
}

export function createCategory(name: string, parentId: number | null): Promise<KbCategory> {
  return unwrap(api.POST('/api/v1/kb/categories', { body: { name, parent_id: parentId } }))
}

export function renameCategory(id: number, name: string): Promise<KbCategory> {
  return unwrap(api.PATCH('/api/v1/kb/categories/{category_id}', { params: { path: { category_id: id } }, body: { name } }))
}

// ---------------------------------------------------------------- articles

export function listArticles(query: Query<'knowledge-list'> = {}): Promise<{ items: KbArticle[]; total: number }> {
  return unwrap(api.GET('/api/v1/kb/articles', { params: { query } }))
}

export function getArticle(id: number): Promise<KbArticleDetail> {
  return unwrap(api.GET('/api/v1/kb/articles/{article_id}', { params: { path: { article_id: id } } }))
}

/** A new article: its first version is a draft nobody finds until it is reviewed. */
export function createArticle(body: KbArticleBody): Promise<KbArticleDetail> {
  return unwrap(api.POST('/api/v1/kb/articles', { body }))
}

/** Changes the draft (a new one from the published version when there is none). */
export function editArticle(id: number, body: KbArticlePatch): Promise<KbArticleDetail> {
  return unwrap(api.PATCH('/api/v1/kb/articles/{article_id}', { params: { path: { article_id: id } }, body }))
}

export type ReviewAction = 'submit' | 'approve' | 'reject'

/** 提交审核, 审核通过 (a reviewer who is not the author: else 403), 退回 (with a note). */
export function reviewArticle(id: number, action: ReviewAction, note = ''): Promise<KbArticleDetail> {
  const params = { path: { article_id: id } }
  const body = { note }
  switch (action) {
    case 'submit': return unwrap(api.POST('/api/v1/kb/articles/{article_id}/submit', { params, body }))
    case 'approve': return unwrap(api.POST('/api/v1/kb/articles/{article_id}/approve', { params, body }))
    case 'reject': return unwrap(api.POST('/api/v1/kb/articles/{article_id}/reject', { params, body }))
  }
}

/** 下线: search and the bot no longer find it. */
export function archiveArticle(id: number, reason: string): Promise<KbArticleDetail> {
  return unwrap(api.POST('/api/v1/kb/articles/{article_id}/archive', { params: { path: { article_id: id } }, body: { reason } }))
}

export function restoreArticle(id: number): Promise<KbArticleDetail> {
  return unwrap(api.POST('/api/v1/kb/articles/{article_id}/restore', { params: { path: { article_id: id } } }))
}

/** Where an attachment is downloaded (the session cookie signs the request in). */
export function attachmentUrl(articleId: number, attachmentId: number): string {
  return `/api/v1/kb/articles/${articleId}/attachments/${attachmentId}`
}

export function uploadArticleAttachment(articleId: number, file: File): Promise<KbAttachment> {
  return upload<KbAttachment>(`/api/v1/kb/articles/${articleId}/attachments`, file)
}

export async function deleteArticleAttachment(articleId: number, attachmentId: number): Promise<void> {
  await unwrap(api.DELETE('/api/v1/kb/articles/{article_id}/attachments/{attachment_id}', {
    params: { path: { article_id: articleId, attachment_id: attachmentId } },
  }))
}

// ---------------------------------------------------------------- search, outages, synonyms

/** Chinese search over the published articles and the live outages, best first; snippets mark words 【】. */
export async function searchKnowledge(q: string, query: Omit<Query<'knowledge-search'>, 'q'> = {}): Promise<KbHit[]> {
  return (await unwrap(api.GET('/api/v1/kb/search', { params: { query: { q, ...query } } }))).items
}

/** A live outage as an article (its title, the agents' preset answer, the IVR announcement). */
export function getOutageArticle(id: number): Promise<KbOutageArticle> {
  return unwrap(api.GET('/api/v1/kb/outages/{outage_id}', { params: { path: { outage_id: id } } }))
}

export async function getSynonyms(): Promise<string[][]> {
  return (await unwrap(api.GET('/api/v1/kb/synonyms'))).groups
}

export async function saveSynonyms(groups: string[][]): Promise<string[][]> {
  return (await unwrap(api.PUT('/api/v1/kb/synonyms', { body: { groups } }))).groups
}

// ---------------------------------------------------------------- the bot

export function getBotSettings(): Promise<BotSettings> {
  return unwrap(api.GET('/api/v1/bot/settings'))
}

export function saveBotSettings(body: BotSettings): Promise<BotSettings> {
  return unwrap(api.PUT('/api/v1/bot/settings', { body }))
}

/**
 * One question to the bot, as a customer would ask it; `session` keeps the misses between questions. A trial
 * (试一试): its misses stay off the unanswered list.
 */
export function askBot(text: string, session: string | null): Promise<BotReply> {
  return unwrap(api.POST('/api/v1/bot/ask', { body: { text, session, trial: true } }))
}

export function listUnanswered(): Promise<BotQuestion[]> {
  return unwrap(api.GET('/api/v1/bot/unanswered'))
}

export async function resolveUnanswered(id: number): Promise<void> {
  await unwrap(api.POST('/api/v1/bot/unanswered/{question_id}/resolve', { params: { path: { question_id: id } } }))
}

/** The written channels' figures over the last `days` (the bot's deflection, the hand-off reasons…). */
export function channelFigures(days = 7): Promise<ChannelFigures> {
  return unwrap(api.GET('/api/v1/conversations-figures', { params: { query: { days } } }))
}
