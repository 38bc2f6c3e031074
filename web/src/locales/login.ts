export default {
  'zh-CN': {
    login: {
      title: '回音客服工作台', username: '用户名', password: '密码', submit: '登录',
      missing: '请输入用户名和密码',
    },
    notFound: { title: '页面不存在', back: '返回首页' },
  },
  en: {
    login: {
      title: 'Huiyin service desk', username: 'Username', password: 'Password', submit: 'Sign in',
      missing: 'Enter your username and password',
    },
    notFound: { title: 'Page not found', back: 'Back to the start' },
  },
}
