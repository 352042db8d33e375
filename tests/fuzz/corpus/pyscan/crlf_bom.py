import a
class A:
    import b
    def m(self):
	import c
match x:
    case 1: import d
