"""
crisis.py - writes the demo's crisis: a customer forum's RSS feed where
angry posts about Acme pile up over the last hour, in French and English.

    python3 scripts/demo/crisis.py OUT.xml

The posts are dated when the demo runs, from 6 to 50 minutes ago: inside
the detector's window (1 hour), and in buckets already closed (5 minutes)
when `vigie run --once` looks at them.
"""

import email.utils
import sys
import time
from xml.sax.saxutils import escape

POSTS = [
    ("fr", "Acme : mes patins ont pris feu, c'est scandaleux",
     "Les patins-fusées Acme ont pris feu au premier essai. Dangereux !"),
    ("en", "Acme rocket skates caught fire, this is outrageous",
     "Mine burst into flames on the first try. Dangerous and awful."),
    ("fr", "Arnaque Acme : toujours pas remboursé",
     "Trois semaines sans réponse, service client injoignable. Honteux."),
    ("en", "Acme refuses refunds for burnt skates, terrible",
     "Customer service hung up on me twice. Worst company ever."),
    ("fr", "Acme, plus jamais : produit dangereux",
     "Mon fils s'est brûlé la main. Je suis furieuse."),
    ("en", "Avoid Acme, their skates are a fire hazard",
     "Horrible quality, nobody answers, total scam."),
    ("fr", "Rappel Acme ? Silence total, c'est inadmissible",
     "Aucune information sur un rappel, ils se moquent de nous."),
    ("en", "Acme ignores safety complaints, disgusting",
     "Dozens of us reported fires and they said nothing. Shameful."),
    ("fr", "Acme m'a vendu un produit défectueux et dangereux",
     "La semelle a fondu, odeur de brûlé, je suis très déçu."),
    ("en", "Acme support is useless and rude",
     "Waited two hours, then they blamed me. Pathetic and insulting."),
    ("fr", "Patins Acme en feu : la colère monte",
     "Des dizaines de témoignages, c'est grave et inquiétant."),
    ("en", "Burned by Acme, literally. Furious",
     "The skates overheated and burned my leg. Terrible product."),
    ("fr", "Acme : service client injoignable, je porte plainte",
     "Nul, lamentable, je vais saisir une association de consommateurs."),
    ("en", "Acme is the worst, do not buy",
     "Broken, dangerous, no refund. I regret every cent."),
    ("fr", "Scandale Acme : des clients blessés",
     "Plusieurs blessés et aucune excuse. C'est honteux."),
    ("en", "Acme skates exploded in my garage, awful",
     "Smoke everywhere, fire department called. Horrible experience."),
    ("fr", "Acme nous prend pour des idiots",
     "Réponse automatique méprisante, aucune solution. Lamentable."),
    ("en", "Acme refund denied again, a total scam",
     "They keep my money and ignore me. Disgraceful."),
    ("fr", "Je déconseille fortement Acme",
     "Produit dangereux, service client nul, remboursement refusé."),
    ("en", "Acme's silence on the fires is a terrible disgrace",
     "No recall, no apology, nothing. Terrible."),
    ("fr", "Acme : une honte, mes patins ont brûlé",
     "Quelle déception, c'est inadmissible et dangereux."),
    ("en", "Angry Acme customers demand a recall",
     "Hundreds of complaints, awful handling, dangerous product."),
    ("fr", "Acme, le pire achat de ma vie",
     "Cassé, brûlé, pas remboursé. Je suis écœuré."),
    ("en", "Acme hurt my kid and won't respond, horrible",
     "A burn on his ankle and not a single word from them. Shameful."),
    ("fr", "Boycott Acme : produits dangereux, clients méprisés",
     "Assez de mépris, c'est scandaleux."),
]

ITEM = """<item>
<guid isPermaLink="false">crise-{n}</guid>
<title>{title}</title>
<link>https://forum-clients.example/t/{n}</link>
<pubDate>{date}</pubDate>
<dc:language>{lang}</dc:language>
<description>{text}</description>
</item>"""


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: crisis.py OUT.xml")
    now = time.time()
    items = []
    for n, (lang, title, text) in enumerate(POSTS):
        at = now - 60 * (6 + n * 44 / len(POSTS))
        items.append(ITEM.format(n=n + 1, title=escape(title),
                                 text=escape(text), lang=lang,
                                 date=email.utils.formatdate(at,
                                                             usegmt=True)))
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n'
                '<rss version="2.0" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
                "<channel><title>Forum clients - patins et fusées</title>\n"
                "<link>https://forum-clients.example/</link>\n" +
                "\n".join(items) + "\n</channel></rss>\n")


if __name__ == "__main__":
    main()
