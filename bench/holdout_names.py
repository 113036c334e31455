"""Name lists of the hold-out generator (`bench/holdout.py`), written for it alone.

Each culture lists given names by sex, family names, the middle names people carry, the short
forms they go by, the other spellings one person's name is found under (transliterations), the
English names some adopt, pairs of names parents give twins, and a few name combinations so
common that unrelated people share them. Diacritics are the ones the names are written with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Culture:
    key: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    """Masculine forms where family names are gendered (`feminine` makes the other)."""
    middle_male: tuple[str, ...] = ()
    middle_female: tuple[str, ...] = ()
    middle_share: float = 0.0
    """How many people carry a middle name (a second given name, Vietnamese Văn/Thị)."""
    nicknames: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    spellings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Other romanizations of one name; a record may carry any of them."""
    adopted_male: tuple[str, ...] = ()
    adopted_female: tuple[str, ...] = ()
    adopted_share: float = 0.0
    """How many people also go by an English name (David Wang for Wang Wei)."""
    twin_names: tuple[tuple[str, str, str, str], ...] = ()
    """(sex, name, sex, name) that parents give twins: often alike."""
    common: tuple[tuple[str, str, str, str], ...] = ()
    """(sex, given, middle, family) that many unrelated people carry."""
    family_first: float = 0.0
    """How often a full name is written family name first."""
    gendered_family: bool = False
    double_family: bool = False
    """Spanish: a paternal and a maternal surname."""
    wife_keeps_name: float = 0.3


def feminine(family: str, culture: Culture) -> str:
    """The feminine form of a gendered family name (Kowalski -> Kowalska, Ivanov -> Ivanova)."""
    if not culture.gendered_family:
        return family
    for masculine, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if family.endswith(masculine):
            return family[: -len(masculine)] + female
    for suffix in ("ov", "ev", "in", "yn"):
        if family.endswith(suffix) and culture.key == "russian":
            return family + "a"
    return family


# fmt: off
ENGLISH = Culture(
    key="english",
    male=(
        "James", "Robert", "John", "Michael", "William", "David", "Richard", "Joseph",
        "Thomas", "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Steven", "Andrew",
        "Joshua", "Kevin", "Brian", "George", "Edward", "Ryan", "Jacob", "Timothy", "Patrick",
        "Samuel", "Benjamin", "Nicholas", "Alexander", "Jonathan", "Gregory", "Douglas",
    ),
    female=(
        "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
        "Sarah", "Karen", "Nancy", "Margaret", "Katherine", "Emily", "Michelle", "Amanda",
        "Rebecca", "Deborah", "Laura", "Rachel", "Hannah", "Anna", "Victoria", "Christina",
        "Abigail", "Olivia", "Megan", "Samantha", "Jacqueline", "Christine", "Alexandra",
        "Kathleen",
    ),
    family=(
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
        "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
        "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
        "Adams", "Baker", "Nelson", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips",
        "Evans", "Turner", "O'Brien", "O'Connor", "McDonald", "MacLeod", "Fitzgerald", "Sullivan",
    ),
    middle_male=("James", "Michael", "Lee", "Edward", "Paul", "Allen", "Ray", "John"),
    middle_female=("Marie", "Ann", "Lynn", "Elizabeth", "Jean", "Rose", "Louise", "Grace"),
    middle_share=0.45,
    nicknames={
        "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"),
        "James": ("Jim", "Jimmy", "Jamie"), "John": ("Jack", "Johnny"), "Michael": ("Mike",),
        "Richard": ("Rick", "Dick", "Rich"), "Joseph": ("Joe", "Joey"),
        "Thomas": ("Tom", "Tommy"), "Charles": ("Chuck", "Charlie"), "Christopher": ("Chris",),
        "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",), "Anthony": ("Tony",),
        "Steven": ("Steve",), "Andrew": ("Andy", "Drew"), "Joshua": ("Josh",),
        "Edward": ("Ed", "Ted", "Eddie"), "Timothy": ("Tim",), "Patrick": ("Pat",),
        "Samuel": ("Sam",), "Benjamin": ("Ben",), "Nicholas": ("Nick",),
        "Alexander": ("Alex", "Sasha"), "Jonathan": ("Jon",), "Jacob": ("Jake",),
        "Gregory": ("Greg",), "Douglas": ("Doug",), "Mary": ("Molly", "Mae"),
        "Patricia": ("Patty", "Trish"), "Jennifer": ("Jen", "Jenny"),
        "Elizabeth": ("Liz", "Beth", "Betty"), "Barbara": ("Barb",), "Susan": ("Sue", "Susie"),
        "Jessica": ("Jess",), "Margaret": ("Maggie", "Peggy", "Meg"),
        "Katherine": ("Kate", "Katie", "Kathy"), "Deborah": ("Debbie", "Deb"),
        "Rebecca": ("Becky",), "Victoria": ("Vicky", "Tori"), "Christina": ("Tina",),
        "Abigail": ("Abby",), "Samantha": ("Sam",), "Jacqueline": ("Jackie",),
        "Christine": ("Chris",), "Alexandra": ("Alex", "Sasha"), "Kathleen": ("Kathy", "Kate"),
    },
    twin_names=(
        ("F", "Anna", "F", "Hannah"), ("M", "Daniel", "F", "Danielle"),
        ("M", "Christian", "F", "Christina"), ("M", "Ethan", "M", "Evan"),
        ("F", "Ava", "F", "Eva"), ("M", "Jacob", "M", "Joshua"), ("F", "Emily", "F", "Emma"),
    ),
    common=(
        ("M", "John", "", "Smith"), ("F", "Mary", "", "Johnson"), ("M", "Michael", "", "Brown"),
        ("M", "James", "", "Williams"), ("F", "Jennifer", "", "Smith"),
    ),
    wife_keeps_name=0.2,
)

SPANISH = Culture(
    key="spanish",
    male=(
        "José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Francisco", "Javier", "Alejandro",
        "Antonio", "Manuel", "Jesús", "Ignacio", "Rafael", "Fernando", "Ricardo", "Sergio",
        "Andrés", "Diego", "Mateo", "Santiago", "Tomás", "Raúl", "Héctor", "Óscar", "Iván",
        "Joaquín", "Martín", "Guillermo", "Roberto", "Enrique",
    ),
    female=(
        "María", "Ana", "Carmen", "Guadalupe", "Lucía", "Sofía", "Isabel", "Laura", "Rosa",
        "Elena", "Paula", "Marta", "Patricia", "Concepción", "Dolores", "Mercedes", "Pilar",
        "Valentina", "Camila", "Daniela", "Gabriela", "Verónica", "Mónica", "Beatriz", "Inés",
        "Ximena", "Natalia", "Julia",
    ),
    family=(
        "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
        "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes",
        "Gutiérrez", "Ortiz", "Jiménez", "Ruiz", "Álvarez", "Castillo", "Romero", "Vargas",
        "Muñoz", "Mendoza", "Núñez", "Peña", "Ibáñez", "Castañeda", "de la Cruz", "del Río",
    ),
    middle_male=("Luis", "Antonio", "Carlos", "Ángel", "Manuel", "Alberto"),
    middle_female=("José", "del Carmen", "Fernanda", "Isabel", "Elena", "Guadalupe"),
    middle_share=0.35,
    nicknames={
        "José": ("Pepe",), "Francisco": ("Paco", "Pancho", "Curro"), "Ignacio": ("Nacho",),
        "Jesús": ("Chuy", "Chucho"), "Guadalupe": ("Lupe", "Lupita"),
        "Concepción": ("Concha", "Conchita"), "Dolores": ("Lola",), "Alejandro": ("Álex",),
        "Antonio": ("Toño", "Tony"), "Manuel": ("Manolo",), "Rafael": ("Rafa",),
        "Fernando": ("Nando", "Fer"), "Enrique": ("Quique",), "Mercedes": ("Merche",),
        "Pilar": ("Pili",), "Isabel": ("Isa", "Chabela"), "Guillermo": ("Memo",),
        "Roberto": ("Beto",), "Santiago": ("Santi",), "Gabriela": ("Gaby",),
    },
    twin_names=(
        ("M", "Gabriel", "F", "Gabriela"), ("M", "Mateo", "M", "Matías"),
        ("F", "Lucía", "F", "Luciana"), ("M", "Juan", "F", "Juana"), ("F", "Ana", "F", "Alba"),
    ),
    common=(
        ("F", "María", "", "García"), ("M", "José", "", "Hernández"), ("M", "Juan", "", "Martínez"),
        ("F", "María", "Guadalupe", "López"), ("M", "José", "Luis", "Rodríguez"),
    ),
    family_first=0.02,
    double_family=True,
    wife_keeps_name=0.9,
)

GERMAN = Culture(
    key="german",
    male=(
        "Thomas", "Michael", "Andreas", "Stefan", "Jürgen", "Klaus", "Wolfgang", "Uwe", "Jörg",
        "Matthias", "Lukas", "Jonas", "Maximilian", "Felix", "Tobias", "Sebastian", "Florian",
        "Johannes", "Josef", "Ulrich", "Günter", "Björn", "Sören", "Dieter", "Leon",
    ),
    female=(
        "Sabine", "Petra", "Monika", "Ursula", "Claudia", "Susanne", "Andrea", "Birgit", "Katrin",
        "Julia", "Lena", "Hannah", "Anna", "Leonie", "Sophie", "Jana", "Lea", "Annika",
        "Brigitte", "Gisela", "Bärbel", "Jutta", "Katharina", "Elisabeth", "Gabriele",
    ),
    family=(
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
        "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Weiß",
        "Groß", "Jäger", "Köhler", "Vogel", "Böhm", "Kühn", "Günther",
    ),
    middle_male=("Peter", "Karl", "Josef", "Maria", "Friedrich"),
    middle_female=("Maria", "Luise", "Sophie", "Charlotte"),
    middle_share=0.2,
    nicknames={
        "Johannes": ("Hans", "Jo"), "Josef": ("Sepp", "Jupp"), "Ulrich": ("Uli",),
        "Maximilian": ("Max",), "Sebastian": ("Basti",), "Tobias": ("Tobi",),
        "Andreas": ("Andi",), "Katharina": ("Kathi", "Katja"), "Susanne": ("Susi",),
        "Elisabeth": ("Lisa", "Elli", "Sissi"), "Gabriele": ("Gabi",), "Matthias": ("Matze",),
        "Wolfgang": ("Wolfi",), "Dieter": ("Didi",),
    },
    twin_names=(
        ("F", "Anna", "F", "Hanna"), ("M", "Jan", "F", "Jana"), ("M", "Leon", "F", "Leonie"),
        ("M", "Paul", "F", "Paula"), ("M", "Lukas", "M", "Jonas"), ("F", "Lena", "F", "Lea"),
    ),
    common=(("M", "Thomas", "", "Müller"), ("F", "Anna", "", "Schmidt")),
    wife_keeps_name=0.25,
)

FRENCH = Culture(
    key="french",
    male=(
        "Jean", "Pierre", "Jean-Pierre", "Jean-Luc", "François", "Philippe", "Nicolas", "Julien",
        "Sébastien", "Stéphane", "Frédéric", "Émile", "Hugo", "Théo", "Léo", "Benoît", "Jérôme",
        "Hervé", "Gaël", "Loïc", "Noël", "Rémi", "Baptiste", "Emmanuel", "Guillaume",
    ),
    female=(
        "Marie", "Hélène", "Élodie", "Céline", "Sophie", "Camille", "Chloé", "Léa", "Manon",
        "Inès", "Zoé", "Anaïs", "Margaux", "Émilie", "Nathalie", "Isabelle", "Françoise",
        "Géraldine", "Aurélie", "Mélanie", "Clémence", "Marie-Claire", "Anne-Sophie", "Joëlle",
    ),
    family=(
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fournier", "Girard",
        "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Mercier", "Blanc",
        "Guérin", "Chevalier", "Lefebvre", "Gauthier", "Hébert", "Duchêne", "Lemaître",
    ),
    middle_male=("Marie", "Louis", "Charles", "André"),
    middle_female=("Marie", "Louise", "Anne", "Claire"),
    middle_share=0.3,
    nicknames={
        "Emmanuel": ("Manu",), "Nicolas": ("Nico",), "Frédéric": ("Fred",),
        "Stéphane": ("Steph",), "Sébastien": ("Seb",), "Isabelle": ("Isa",),
        "Jean-Pierre": ("JP",), "Guillaume": ("Guigui",), "Françoise": ("Fanfan",),
        "Nathalie": ("Nath",), "Aurélie": ("Aurél",),
    },
    twin_names=(
        ("M", "Louis", "F", "Louise"), ("F", "Léa", "F", "Léna"), ("M", "Hugo", "M", "Théo"),
        ("F", "Camille", "F", "Clémence"),
    ),
    common=(("F", "Marie", "", "Martin"), ("M", "Jean", "", "Dubois")),
    wife_keeps_name=0.3,
)

POLISH = Culture(
    key="polish",
    male=(
        "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Łukasz", "Jakub",
        "Mateusz", "Grzegorz", "Wojciech", "Stanisław", "Zbigniew", "Jarosław", "Przemysław",
        "Bartłomiej", "Kamil", "Rafał", "Sławomir", "Józef", "Maciej", "Aleksander",
    ),
    female=(
        "Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Joanna", "Magdalena",
        "Zofia", "Aleksandra", "Dorota", "Beata", "Żaneta", "Jadwiga", "Bożena", "Grażyna",
        "Halina", "Krystyna", "Urszula", "Monika", "Natalia", "Weronika",
    ),
    family=(
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
        "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
        "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski", "Pawłowski", "Michalski", "Król",
        "Wieczorek", "Jabłoński", "Wróbel", "Stępień", "Górski", "Sikora", "Zając", "Błaszczyk",
        "Żak", "Chmielewski", "Gąsiorowski",
    ),
    middle_male=("Jan", "Józef", "Paweł"),
    middle_female=("Maria", "Anna", "Teresa"),
    middle_share=0.15,
    nicknames={
        "Katarzyna": ("Kasia",), "Małgorzata": ("Gosia", "Małgosia"), "Tomasz": ("Tomek",),
        "Barbara": ("Basia",), "Aleksandra": ("Ola",), "Aleksander": ("Olek",),
        "Jakub": ("Kuba",), "Józef": ("Józek",), "Piotr": ("Piotrek",),
        "Krzysztof": ("Krzysiek",), "Stanisław": ("Staszek", "Stan"), "Wojciech": ("Wojtek",),
        "Magdalena": ("Magda",), "Agnieszka": ("Aga",), "Joanna": ("Asia",),
        "Zofia": ("Zosia",), "Bartłomiej": ("Bartek",), "Jadwiga": ("Jadzia",),
        "Krystyna": ("Krysia",),
    },
    adopted_male=("Peter", "Chris", "Albert", "Tom"),
    adopted_female=("Kate", "Margaret", "Barbara"),
    adopted_share=0.05,
    twin_names=(
        ("M", "Jan", "F", "Janina"), ("M", "Kacper", "M", "Kajetan"),
        ("F", "Zuzanna", "F", "Julia"),
    ),
    common=(("F", "Anna", "", "Nowak"), ("M", "Piotr", "", "Kowalski")),
    gendered_family=True,
    wife_keeps_name=0.1,
)

RUSSIAN = Culture(
    key="russian",
    male=(
        "Aleksandr", "Dmitri", "Sergei", "Ivan", "Mikhail", "Andrei", "Vladimir", "Yuri",
        "Oleksandr", "Nikolai", "Alexei", "Pavel", "Maksim", "Oleg",
    ),
    female=(
        "Yekaterina", "Natalia", "Olga", "Yelena", "Tatiana", "Anastasia", "Svetlana", "Maria",
        "Irina", "Yulia", "Oksana", "Alexandra", "Daria",
    ),
    family=(
        "Ivanov", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Petrov", "Volkov", "Morozov",
        "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Lebedev",
    ),
    nicknames={
        "Aleksandr": ("Sasha",), "Oleksandr": ("Sasha",), "Alexandra": ("Sasha",),
        "Dmitri": ("Dima",), "Sergei": ("Seryozha",), "Ivan": ("Vanya",), "Mikhail": ("Misha",),
        "Vladimir": ("Volodya", "Vova"), "Yuri": ("Yura",), "Nikolai": ("Kolya",),
        "Alexei": ("Lyosha",), "Yekaterina": ("Katya",), "Natalia": ("Natasha",),
        "Olga": ("Olya",), "Yelena": ("Lena",), "Tatiana": ("Tanya",),
        "Anastasia": ("Nastya",), "Svetlana": ("Sveta",), "Maria": ("Masha",),
        "Irina": ("Ira",), "Daria": ("Dasha",), "Maksim": ("Max",),
    },
    spellings={
        "Aleksandr": ("Alexander", "Aleksander", "Alexandr"), "Dmitri": ("Dmitry", "Dmitriy"),
        "Sergei": ("Sergey", "Serguei"), "Yuri": ("Yury", "Iurii", "Jurij"),
        "Andrei": ("Andrey",), "Alexei": ("Alexey", "Aleksei"), "Nikolai": ("Nikolay",),
        "Yekaterina": ("Ekaterina", "Katerina"), "Natalia": ("Natalya", "Nataliya"),
        "Yelena": ("Elena", "Jelena"), "Tatiana": ("Tatyana", "Tatjana"),
        "Yulia": ("Julia", "Iuliia", "Yuliya"), "Oleksandr": ("Olexandr", "Alexander"),
        "Maksim": ("Maxim",),
        "Shevchenko": ("Shevchenco",), "Melnyk": ("Melnik",), "Kuznetsov": ("Kuznetsoff",),
    },
    twin_names=(("F", "Tatiana", "F", "Tamara"), ("M", "Ivan", "F", "Irina")),
    common=(("M", "Aleksandr", "", "Ivanov"), ("F", "Olga", "", "Ivanov")),
    gendered_family=True,
    wife_keeps_name=0.1,
)

VIETNAMESE = Culture(
    key="vietnamese",
    male=(
        "Anh", "Minh", "Hùng", "Dũng", "Tuấn", "Hải", "Long", "Nam", "Phúc", "Quang", "Sơn",
        "Thắng", "Trung", "Việt", "Khoa", "Bảo", "Huy", "Khánh",
    ),
    female=(
        "Anh", "Linh", "Lan", "Hương", "Mai", "Ngọc", "Thảo", "Trang", "Hà", "Hoa", "Hằng",
        "Nhung", "Phương", "Vy", "Yến", "Thủy", "Tuyết", "Châu",
    ),
    family=(
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
        "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
    ),
    middle_male=("Văn", "Đức", "Minh", "Hữu", "Quốc", "Thanh"),
    middle_female=("Thị", "Ngọc", "Thanh", "Minh", "Xuân", "Thu"),
    middle_share=0.9,
    spellings={"Huỳnh": ("Huynh", "Hyunh"), "Võ": ("Vo", "Vu"), "Phạm": ("Pham", "Fam")},
    adopted_male=("Kevin", "Peter", "Tony", "David", "Danny", "Steven"),
    adopted_female=("Tina", "Vivian", "Jenny", "Lisa", "Amy", "Nancy"),
    adopted_share=0.25,
    twin_names=(
        ("F", "Minh Anh", "F", "Minh Châu"), ("M", "Bảo", "M", "Bình"), ("F", "Lan", "F", "Linh"),
    ),
    common=(
        ("M", "Anh", "Văn", "Nguyễn"), ("F", "Lan", "Thị", "Nguyễn"), ("M", "Minh", "Văn", "Trần"),
        ("F", "Anh", "Thị", "Nguyễn"),
    ),
    family_first=0.35,
    wife_keeps_name=0.85,
)

CHINESE = Culture(
    key="chinese",
    male=(
        "Wei", "Lei", "Jun", "Yong", "Jie", "Tao", "Ming", "Xiaoming", "Jianguo", "Jianhua",
        "Guoqiang", "Haoran", "Yuxuan", "Zihao", "Hao", "Bo", "Chen", "Zhiwei",
    ),
    female=(
        "Fang", "Na", "Min", "Jing", "Yan", "Xiaoyan", "Lihua", "Mengyao", "Zihan", "Yifan",
        "Xiuying", "Hui", "Ying", "Li", "Xin", "Jiayi", "Yuting",
    ),
    family=(
        "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
        "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao",
    ),
    adopted_male=("David", "Kevin", "Eric", "Jason", "Michael", "Frank", "Tony", "Leo"),
    adopted_female=("Grace", "Cindy", "Amy", "Helen", "Vivian", "Lily", "Joyce", "Iris"),
    adopted_share=0.35,
    twin_names=(("M", "Haoran", "M", "Haoyu"), ("F", "Yuxin", "F", "Yutong")),
    common=(("M", "Wei", "", "Wang"), ("F", "Na", "", "Li"), ("M", "Wei", "", "Zhang")),
    family_first=0.45,
    wife_keeps_name=0.95,
)

CHINESE_CHARACTERS: Mapping[str, str] = {
    "Wang": "王", "Li": "李", "Zhang": "张", "Liu": "刘", "Chen": "陈", "Yang": "杨",
    "Huang": "黄", "Zhao": "赵", "Wu": "吴", "Zhou": "周", "Wei": "伟", "Fang": "芳",
    "Na": "娜", "Min": "敏", "Jing": "静", "Lei": "磊", "Jun": "军", "Yan": "燕", "Ming": "明",
    "Xiaoming": "小明", "Jianguo": "建国", "Lihua": "丽华", "Tao": "涛", "Jie": "杰",
}
"""The characters of some romanized Chinese names, for records a Chinese-language form wrote."""

KOREAN = Culture(
    key="korean",
    male=(
        "Min-jun", "Ji-hoon", "Seo-jun", "Do-yun", "Hyun-woo", "Jae-won", "Young-ho",
        "Sung-min", "Kyung-soo", "Dong-hyun", "Jin-woo", "Sang-hoon",
    ),
    female=(
        "Seo-yeon", "Ji-woo", "Ha-eun", "Min-seo", "Ye-jin", "Soo-jin", "Eun-ji", "Hye-jin",
        "Ji-yeon", "Yoo-na", "Su-bin", "Ji-eun",
    ),
    family=(
        "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh",
        "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Yoo", "Hong",
    ),
    spellings={
        "Lee": ("Yi", "Rhee"), "Park": ("Pak", "Bak"), "Choi": ("Choe",),
        "Jung": ("Jeong", "Chung"), "Yoon": ("Yun",), "Lim": ("Im",), "Kang": ("Gang",),
    },
    adopted_male=("John", "Daniel", "Paul", "Steve", "James"),
    adopted_female=("Grace", "Jenny", "Sarah", "Christina", "Esther"),
    adopted_share=0.25,
    twin_names=(("M", "Ji-hoon", "M", "Ji-hwan"), ("F", "Seo-yeon", "F", "Seo-yoon")),
    common=(("M", "Min-jun", "", "Kim"), ("F", "Ji-eun", "", "Lee")),
    family_first=0.4,
    wife_keeps_name=0.95,
)

INDIAN = Culture(
    key="indian",
    male=(
        "Rajesh", "Suresh", "Ramesh", "Amit", "Rahul", "Vikram", "Sanjay", "Arjun", "Rohan", "Anil",
        "Sunil", "Venkatesh", "Srinivas", "Karthik", "Aditya", "Vijay", "Prakash", "Deepak",
        "Manoj", "Gurpreet", "Mohan",
    ),
    female=(
        "Priya", "Anjali", "Sunita", "Lakshmi", "Kavita", "Pooja", "Neha", "Deepa", "Meera",
        "Divya", "Shreya", "Aishwarya", "Ananya", "Sneha", "Rekha", "Geeta", "Swati", "Harpreet",
    ),
    family=(
        "Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Rao", "Iyer", "Nair", "Menon",
        "Shah", "Mehta", "Joshi", "Agarwal", "Verma", "Das", "Chatterjee", "Banerjee", "Pillai",
        "Krishnan", "Subramanian", "Desai", "Gill", "Malhotra", "Kapoor", "Venkataraman",
    ),
    middle_male=("Kumar", "Prasad", "Chandra", "Nath"),
    middle_female=("Devi", "Kumari", "Rani"),
    middle_share=0.25,
    nicknames={
        "Venkatesh": ("Venky",), "Srinivas": ("Srini",), "Rajesh": ("Raj",),
        "Karthik": ("Karthi",), "Aishwarya": ("Ash",), "Vikram": ("Vicky",),
        "Gurpreet": ("Gary",), "Deepak": ("Dee",), "Aditya": ("Adi",),
    },
    spellings={
        "Lakshmi": ("Laxmi", "Lakshmy"), "Srinivas": ("Shrinivas", "Sreenivas", "Srinivasa"),
        "Aishwarya": ("Aishwariya",), "Geeta": ("Gita", "Geetha"), "Deepa": ("Dipa",),
        "Venkataraman": ("Venkatraman",), "Subramanian": ("Subramaniam", "Subramanyam"),
        "Chatterjee": ("Chatterji",), "Banerjee": ("Banerji",), "Kavita": ("Kavitha",),
    },
    twin_names=(("M", "Lav", "M", "Kush"), ("M", "Ram", "M", "Laxman"), ("F", "Riya", "F", "Siya")),
    common=(
        ("F", "Priya", "", "Sharma"), ("M", "Rahul", "", "Kumar"), ("M", "Amit", "", "Patel"),
    ),
    wife_keeps_name=0.2,
)

ARABIC = Culture(
    key="arabic",
    male=(
        "Mohammed", "Ahmed", "Ali", "Omar", "Khalid", "Youssef", "Ibrahim", "Hassan", "Hussein",
        "Mustafa", "Tariq", "Karim", "Samir", "Walid", "Abdullah", "Abdulrahman", "Faisal",
        "Hamza", "Bilal", "Nabil", "Rami", "Saïd",
    ),
    female=(
        "Fatima", "Aisha", "Mariam", "Layla", "Nour", "Salma", "Yasmin", "Huda", "Rania", "Amira",
        "Hana", "Zainab", "Rana", "Dina", "Samira", "Lina", "Aïcha",
    ),
    family=(
        "Al-Rashid", "Haddad", "Khoury", "Nasser", "Mansour", "Saleh", "Hamdan", "Abdallah",
        "El-Sayed", "Ibrahim", "Hassan", "Aziz", "Farouk", "Al-Amin", "Darwish", "Suleiman",
        "Khalil", "Jaber", "Mahmoud", "Abboud", "Benali", "Chérif",
    ),
    spellings={
        "Mohammed": ("Mohamed", "Muhammad", "Mohammad", "Mohamad"), "Ahmed": ("Ahmad",),
        "Youssef": ("Yousef", "Yusuf", "Youcef"), "Hussein": ("Hussain", "Husein"),
        "Mustafa": ("Mostafa", "Moustafa"), "Abdulrahman": ("Abdul Rahman", "Abdel Rahman"),
        "Abdullah": ("Abdallah",), "Aisha": ("Aysha", "Ayesha"), "Fatima": ("Fatma", "Fatimah"),
        "Layla": ("Leila", "Laila"), "Nour": ("Noor", "Nur"), "Mariam": ("Maryam", "Miriam"),
        "Zainab": ("Zaynab", "Zeinab"), "Al-Rashid": ("Alrashid", "Al Rashid", "El Rashid"),
        "El-Sayed": ("Elsayed", "El Sayed", "Al-Sayed"), "Al-Amin": ("Alamin", "Al Amin"),
        "Suleiman": ("Sulaiman", "Soliman"), "Khoury": ("Khouri", "Khuri"),
    },
    twin_names=(("M", "Hassan", "M", "Hussein"), ("F", "Amira", "F", "Amina")),
    common=(
        ("M", "Mohammed", "", "Ali"), ("M", "Ahmed", "", "Hassan"), ("F", "Fatima", "", "Ahmed"),
    ),
    wife_keeps_name=0.8,
)

NIGERIAN = Culture(
    key="nigerian",
    male=(
        "Chukwuemeka", "Oluwaseun", "Babatunde", "Olumide", "Chinedu", "Obinna", "Adebayo",
        "Ikechukwu", "Ifeanyi", "Emmanuel", "Chidi", "Kelechi", "Abubakar", "Musa", "Ibrahim",
        "Tochukwu", "Oluwadamilare",
    ),
    female=(
        "Ngozi", "Chiamaka", "Adaeze", "Oluwakemi", "Funmilayo", "Folasade", "Yetunde", "Chinwe",
        "Nneka", "Amina", "Blessing", "Precious", "Temitope", "Olufunke", "Ifeoma", "Omolara",
    ),
    family=(
        "Okafor", "Okonkwo", "Adeyemi", "Balogun", "Okoro", "Eze", "Nwosu", "Obi", "Olawale",
        "Ogunleye", "Bello", "Danjuma", "Ogundipe", "Afolabi", "Nwachukwu", "Akinola", "Ojo",
        "Adewale", "Adébáyọ̀", "Ọláwálé",
    ),
    middle_male=("Daniel", "Samuel", "Chukwudi", "Oluwafemi"),
    middle_female=("Grace", "Blessing", "Adaobi", "Oluwatoyin"),
    middle_share=0.4,
    nicknames={
        "Chukwuemeka": ("Emeka",), "Oluwaseun": ("Seun",), "Babatunde": ("Tunde",),
        "Olumide": ("Mide",), "Adebayo": ("Bayo",), "Ikechukwu": ("Ike",),
        "Emmanuel": ("Emma",), "Tochukwu": ("Tochi",), "Oluwadamilare": ("Dami", "Dammy"),
        "Chiamaka": ("Amaka",), "Adaeze": ("Ada",), "Oluwakemi": ("Kemi",),
        "Funmilayo": ("Funmi",), "Folasade": ("Sade",), "Yetunde": ("Yetty",),
        "Temitope": ("Tope",), "Olufunke": ("Funke",), "Ifeoma": ("Ify",), "Omolara": ("Lara",),
    },
    adopted_male=("Daniel", "Samuel", "Victor", "Henry"),
    adopted_female=("Grace", "Joy", "Esther", "Ruth"),
    adopted_share=0.1,
    twin_names=(("M", "Taiwo", "F", "Kehinde"), ("M", "Taiwo", "M", "Kehinde")),
    common=(("M", "Chinedu", "", "Okafor"), ("F", "Blessing", "", "Okafor")),
    wife_keeps_name=0.1,
)

# fmt: on

CULTURES: Mapping[str, Culture] = {
    c.key: c
    for c in (
        ENGLISH,
        SPANISH,
        GERMAN,
        FRENCH,
        POLISH,
        RUSSIAN,
        VIETNAMESE,
        CHINESE,
        KOREAN,
        INDIAN,
        ARABIC,
        NIGERIAN,
    )
}

FIRST_NAME_INITIAL_CULTURES = ("english", "german", "french", "polish", "spanish")
"""Where a record may write only the initial of the given name ("J. Smith")."""

GUEST_NAMES = ("GUEST", "Walk In", "CASH CUSTOMER", "Customer", "N/A", "Store Guest")
"""What a till writes when the shopper gave no name."""

SOCIAL_DECORATIONS = (" 🌸", " ✨", " 🇲🇽", " ❤️", " 💙", " ⚽", "")
