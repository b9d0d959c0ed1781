"""Given names that everyday-word lists also carry, removed from unanswered questions whatever else
they mean (so "على" (on), folded like "علي" (Ali), and "надія" (hope) go too: privacy comes first).

Frequency lists are made from real text, where people's names are frequent: "محمد" is among the 50
most frequent Arabic words, "олена" among the 2,000 most frequent Ukrainian ones. A name that is no
listed or everyday word is removed anyway (bot/anonymise.py); these are the ones that are.
Written as people type them; folded like message text when used.
"""

from __future__ import annotations

LATIN = """
mohammed mohamed mohammad muhammad muhammed mohamad mohamud ahmed ahmad ali omar umar hassan hasan hussein
hussain husain hossein ibrahim ebrahim youssef yousef yusuf yousif mustafa mostafa khalid khaled abdullah abdallah
abdul abdel mahmoud mahmood mahmud karim kareem samir sami tariq tarek rami bilal hamza hamzah jamal kamal nabil
walid waleed saeed saad salah salim saleem faisal fahad adel adil amir ameer hamid hameed rashid rasheed rahim
rahman aziz anwar osman othman usman idris ismail ismael yasin yaseen zaid zayd ziad majid nasser naser mansour
jaber hadi mehdi mahdi reza hamed javad farid farhad behrouz dariush arash babak kaveh navid omid payam ramin
shahram siamak soroush vahid mohsen hossain wahid naqib sardar khan habib nasir qasim kasim bashir shafiq rafiq
azad karwan rebwar soran hawre dilshad shirwan zana hemin diyar sherzad abdi abdirahman abdullahi
fatima fatma fatemeh aisha aysha ayesha khadija khadijah maryam mariam zainab zeinab zaynab amina aminah layla
leila laila noor nour sara sarah hana hanna hannah huda iman amal asma rania rana dina reem salma samira yasmin
yasmine jasmine lina lana mona nadia nada noura rasha ruqaya shaima sumaya zahra zahraa zohreh parisa parvin
shirin nasrin leyla roya mina nazanin niloufar mahsa sima fereshteh soraya farzaneh golnaz masoumeh marzieh hawa
halima habiba farida latifa malalai palwasha gulalai nazia shabnam sahar shireen bahar zhila shilan chnar kazhal
avin berivan
dawit daniel yonas yohannes johannes tesfaye tesfay tesfalem kidane haile hailu berhane berhe mehari mikael
gebre gebremedhin habtom filmon filimon samuel semere senai abel robel yemane tekle teklu amanuel biniam biniyam
efrem ermias henok kibrom merhawi natnael salomon tsegay weldu yared zerai selam senait saba hiwet lidya luwam
mebrat meron rahel selamawit tigist winta yordanos feven mihret
oleksandr olexandr alexander oleksiy olexiy andriy andrii dmytro dmitry ivan mykola nikolai serhiy sergii sergey
volodymyr vladimir yuriy yuri petro pavlo taras bohdan vasyl vitaliy viktor maksym maxim artem denys oleh oleg
ihor igor yevhen evgeny kostiantyn anatoliy mykhailo mikhail stepan olena elena olga olha oksana iryna irina
natalia nataliya tetiana tatiana tatyana yulia julia maria mariia anna kateryna ekaterina svitlana svetlana
halyna galina liudmyla lyudmila nadiya viktoria victoria alina daria darya anastasia sofia sofiia khrystyna
yana inna larysa valentyna lesia
john james david michael peter paul matthew thomas william george richard robert joseph christopher andrew
steven stephen chris tom ben jack harry charlie oliver emma olivia sophie lucy emily jessica rachel rebecca
laura claire helen kate anne mary elizabeth margaret susan karen linda julie alice charlotte amelia jean pierre
marie jacques michel philippe nicolas julien camille manon chloe
"""

ARABIC_SCRIPT = """
محمد أحمد احمد علي عمر حسن حسين إبراهيم ابراهيم يوسف مصطفى خالد عبدالله عبد الله محمود كريم سمير سامي طارق رامي
بلال حمزة جمال كمال نبيل وليد سعيد سعد صلاح سليم فيصل فهد عادل أمير امير حامد راشد رشيد رحيم عبدالرحمن عزيز أنور
عثمان إدريس إسماعيل اسماعيل ياسين زيد زياد ماجد ناصر منصور جابر هادي مهدي مهدی رضا حمید جواد فرید فرهاد بهروز
داریوش آرش بابک کاوه نوید امید پیام رامین شهرام سیامک سروش وحید محسن حبیب نصیر قاسم بشیر شفیق رفیق آزاد
گل خان سردار نقیب احمدزی کاروان ڕێبوار سۆران هاوڕێ دلشاد شیروان زانا هێمن دیار شێرزاد آرام ئارام
فاطمة فاطمه عائشة عایشه خديجة خدیجه مريم مریم زينب زینب أمينة امینه ليلى لیلا نور سارة سارا هناء هانا هدى إيمان
ایمان أمل امل أسماء اسماء رانيا رنا دينا ريم سلمى سميرة ياسمين یاسمن لينا لانا منى نادية ندى نورا رشا رقية شيماء
سمية زهراء زهرا زهره پریسا پروین شیرین نسرین رویا مینا نازنین نیلوفر مهسا سیما فرشته ثریا فرزانه گلناز معصومه
مرضیه حوا حليمة حلیمه حبيبة فريدة لطيفة ملالی پلوشه ګلالۍ نازیه شبنم سحر بهار ژیلا شیلان چنار کەژاڵ ئاڤین بێریڤان
"""

CYRILLIC = """
олександр олексій андрій дмитро іван микола сергій володимир юрій петро павло тарас богдан василь віталій віктор
максим артем денис роман олег ігор євген костянтин анатолій михайло степан ярослав назар остап
олена ольга оксана ірина наталія наталя тетяна юлія марія анна катерина світлана галина людмила надія вікторія
аліна дар'я дарина анастасія софія христина яна інна лариса валентина леся віра любов
александр алексей андрей дмитрий сергей владимир юрий николай михаил евгений игорь олег виктор
елена наталья татьяна екатерина мария ирина светлана людмила юлия
"""

GEEZ = """
ዳዊት ዳንኤል ዮናስ ዮሃንስ ተስፋይ ተስፋዬ ተስፋልደት ኪዳነ ሃይሌ ሃይሉ ብርሃነ በርሀ መሓሪ ሚካኤል ገብረ ገብረመድህን ሃብቶም ፊልሞን ሳሙኤል
ሰመረ ሰናይ ኣቤል ሮቤል የማነ ተኽለ ኣማኑኤል ቢንያም ኤፍሬም ኤርምያስ ሄኖክ ክብሮም መርሃዊ ናትናኤል ሰለሙን ጸጋይ ወልዱ ያሬድ ዘራይ
ሰላም ሰናይት ሳባ ሕይወት ሊድያ ሉዋም ምሕረት ሜሮን ራሄል ሰላማዊት ትግስቲ ዊንታ ዮርዳኖስ ፌቨን ሄለን ሩት ኣበበ
"""

GIVEN_NAMES: tuple[str, ...] = tuple((LATIN + ARABIC_SCRIPT + CYRILLIC + GEEZ).split())
