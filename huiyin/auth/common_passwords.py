"""Passwords too common to allow (issue 14: OWASP ASVS 2.1.7 asks for a check against breached or common
passwords). The list is short and offline: the most common passwords of public breach analyses, the
patterns Chinese users favour (birthdays aside: 123456, 5201314 "我爱你一生一世", 666666, 888888, woaini,
pinyin-keyboard walks), and what a service centre would pick (its own words: huiyin, kefu, 95598, 12345).
Checked lower-cased, after the length rule, so only the long ones matter; ``auth.passwords`` also refuses a
password that contains the username or is one character repeated."""

_LIST = """
123456789012 1234567890123 12345678901234 123456123456 123123123123 111111111111 000000000000 888888888888
666666666666 520520520520 5201314520 52013145201314 1314520131452 woaini1314520 woaini5201314 iloveyou1314
qwertyuiop123 qwertyuiopasdf 1qaz2wsx3edc 1qaz2wsx3edc4rfv qazwsxedcrfv zaq12wsxcde3 1q2w3e4r5t6y
1q2w3e4r5t6y7u8i asdfghjkl123 zxcvbnm123456 password1234 password12345 password123456 passw0rd1234
p@ssw0rd1234 p@ssword1234 admin1234567 admin123456789 administrator root12345678 welcome12345 welcome123456
letmein12345 changeme1234 iloveyou1234 abc123456789 abcdef123456 abcd12345678 a123456789012 aa123456789a
football1234 baseball1234 sunshine1234 princess1234 dragon123456 monkey123456 shadow123456 master123456
superman1234 trustno11234 qwerty123456 qwerty1234567 1234qwerasdf 1234qwerasdfzxcv qwer1234asdf
huiyin123456 huiyin12345678 kefu12345678 kefu123456789 kefuzhongxin 95598955989 9559895598 1234512345
12345123451 12345678abc 123456abcdef 12345678aaaa 12345678qwer 123456qwerty abcdefghijkl abcdefghijklm
aaaaaaaaaaaa zzzzzzzzzzzz woaini123456 woainiwoaini wodemima1234 mima12345678 mimamima1234 zhongguo1234
zhangwei1234 wangwei12345 liuyang12345 beijing12345 shanghai1234 chongqing123 chongqing1234 chengdu12345
guangzhou123 shenzhen1234 hangzhou1234 dianli123456 ranqi1234567 shuiwu123456 gongdan12345 diannao12345
computer1234 internet1234 windows12345 microsoft123 google123456 baidu1234567 tencent12345 alibaba12345
"""

COMMON: frozenset[str] = frozenset(_LIST.split())
