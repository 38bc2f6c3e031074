export default {
  'zh-CN': {
    login: {
      title: '回音客服工作台', username: '用户名', password: '密码', submit: '登录',
      missing: '请输入用户名和密码',
      wrong: '用户名或密码错误',
      locked: '登录失败次数过多，请 {seconds} 秒后再试，或请系统管理员解锁',
    },
    notFound: { title: '页面不存在', back: '返回首页' },
  },
  en: {
    login: {
      title: 'Huiyin service desk', username: 'Username', password: 'Password', submit: 'Sign in',
      missing: 'Enter your username and password',
      wrong: 'Wrong username or password',
      locked: 'Too many failed sign-ins: try again in {seconds} s, or ask an admin to unlock your account',
    },
    notFound: { title: 'Page not found', back: 'Back to the start' },
  },
}
