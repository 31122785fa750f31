"""A labelled db.json for judging duplicate detection: which pairs are one person twice, which
share a name but are two people.

N base patients with names drawn from a large, culture-coherent name space (a few hundred real
first names per gender, tens of thousands of surnames: real ones plus ones composed from
syllable parts, kept at least two edits apart so that a one-letter difference is the mark of a
typo, not of another family), mildly Zipf-distributed. Then 1% of N (at least 1,000) duplicates,
each a copy of one base patient registered again with ONE realistic change (KINDS, spread
evenly), and 1,000 hard non-duplicates: another person with the same common name, the other
gender and an age at least five years apart. Deterministic (fixed seed).

A base person who would share a folded name and gender with another, ages at most a year apart,
gets another age (`_distinguishable`): no rule can tell such two people from one registered
twice, so they would be label noise; how many ages that took is in the statistics.

labels.json: {"duplicates": [{"a", "b", "kind"}], "distinct": [{"a", "b"}], "coincidental": n,
"coincidental_pairs": [[a, b]]} with db.json's ids; coincidental pairs are two unlabelled records
with the same folded name, gender and an age at most one year apart: no rule can tell them apart
from a duplicate, and they are honestly counted as non-duplicates.

Usage: python -m benchmarks.duplicates_data [N] OUT_DIR
"""

import argparse
import itertools
import json
import math
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.generate_db_json import CONDITIONS

SEED = 20241203
DEFAULT_SIZE = 100_000
DUPLICATE_SHARE = 0.01
MIN_DUPLICATES = 1000
DISTINCT_PAIRS = 1000
COMMON_SHARE = 4
RARE = 1000  # added to the rank of a name with a second given name or surname
REDRAWS = 20  # tries at an age that tells a base person from a namesake
KINDS = (
    "one_letter_typo",
    "dropped_letter",
    "doubled_letter",
    "accents_removed",
    "swapped_order",
    "phonetic_variant",
    "patient_id_one_edit",
    "age_off_by_one",
)
Record = dict[str, Any]  # one patient as db.json holds it
GENDERS = ("Male", "Female", "Other")
GENDER_WEIGHTS = (0.485, 0.495, 0.02)
FIRST_VISIT = date(2015, 1, 1)
VISIT_DAYS = 3600  # up to late 2024: never in the future
SECOND_GIVEN = 0.12  # people registered with a second given name
# Name frequency by rank: 1 / (rank + offset) ** exponent, a mild Zipf law.
FIRST_OFFSET, FIRST_EXPONENT = 3, 0.5
SURNAME_OFFSET, SURNAME_EXPONENT = 50, 0.5


@dataclass(frozen=True)
class Culture:
    """One naming tradition: its first names (most common first), its real surnames (most
    common first) and the syllable parts composing more surnames (each scheme a product of
    part lists)."""

    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    schemes: tuple[tuple[tuple[str, ...], ...], ...]
    second_surname: float = 0.0  # share of people with two family names (Iberian custom)
    second_given: float = SECOND_GIVEN  # share with a second given name
    borrows: tuple[str, ...] = ()  # cultures whose composed surnames are common here too


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _parts(text: str) -> tuple[str, ...]:
    """Syllable parts; `-` stands for the empty part."""
    return tuple("" if part == "-" else part for part in text.split())


CULTURES: dict[str, Culture] = {
    "english": Culture(
        20,
        _words(
            "James John Robert Michael William David Richard Joseph Thomas Charles"
            " Christopher Daniel Matthew Anthony Mark Steven Paul Andrew Joshua"
            " Kenneth Kevin Brian George Timothy Ronald Jason Edward Jeffrey Ryan"
            " Jacob Gary Nicholas Eric Jonathan Larry Justin Scott Brandon Benjamin"
            " Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry Tyler"
            " Aaron Henry Douglas Peter Adam Nathan Zachary Walter Kyle Harold Carl"
            " Jeremy Keith Roger Gerald Ethan Arthur Terry Christian Lawrence Austin"
            " Noah Jesse Albert Bryan Bruce Jordan Dylan Alan Ralph Gabriel Wayne"
            " Eugene Logan Randy Louis Russell Vincent Philip Bradley Mitchell"
            " Stephen"
        ),
        _words(
            "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen"
            " Nancy Lisa Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle"
            " Dorothy Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura"
            " Cynthia Kathleen Amy Shirley Angela Helen Brenda Pamela Nicole Emma"
            " Samantha Katherine Christine Rachel Catherine Carolyn Janet Ruth"
            " Heather Diane Virginia Julie Joyce Victoria Olivia Kelly Christina"
            " Lauren Joan Evelyn Judith Megan Cheryl Andrea Hannah Martha Jacqueline"
            " Frances Gloria Teresa Kathryn Janice Jean Alice Madison Doris Abigail"
            " Julia Judy Grace Denise Amber Marilyn Beverly Danielle Theresa Sophia"
            " Diana Brittany Natalie Isabella Charlotte Rose Alexis Kayla Sylvia"
            " Phyllis Yvonne"
        ),
        _words(
            "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor"
            " Moore Jackson Thompson White Harris Clark Lewis Robinson Walker Young"
            " Allen King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell"
            " Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart"
            " Morris Rogers Cook Morgan Bell Bailey Cooper Richardson Cox Howard Ward"
            " Peterson Gray Watson Brooks Sanders Price Bennett Wood Barnes Ross"
            " Henderson Coleman Jenkins Perry Powell Long Patterson Hughes Washington"
            " Butler Simmons Foster Bryant Russell Griffin Hayes Myers Ford Hamilton"
            " Graham Wallace Woods Cole West Owens Reynolds Fisher Ellis Harrison"
            " Gibson Marshall Wells Chapman Fletcher Thatcher Whitaker Hathaway"
            " Blackwood Pritchard Kitchener Sutcliffe Whitlock Thornton"
        ),
        (
            (
                _parts(
                    "Ash Black Brad Brook Cald Cart Chad Cress Dun Fair Fitch Gold"
                    " Hal Hath Haw Hol Kings Lang Mar Mid Nor Oak Pem Rad Ram Red Ros"
                    " Sand Shel Stan Thorn Wal West Whit Wink Wor Ather Bram Crom Ell"
                    " Elm Fox Gar Hen Lock Pick Rush Stock Tat Thack Wex Ald Bark"
                    " Birk Bol Brom Chel Cot Dal Dar Ed Farn Glen Grim Hart Hex Hurl"
                    " Ket Kirk Lid Mel Mil Mor Nat Osw Pad Pen Pres Rain Ring Sal"
                    " Sher Sid Snow Stam Sum Tan Ting Tun Wad Wel Wim Wyn"
                ),
                _parts("- en ing ar ell ock ers is"),
                _parts(
                    "ford ton ley wood field worth by well more ham combe stead bury"
                    " hurst wick low bridge shaw den gate brook dale hill side thorpe"
                    " lake croft"
                ),
            ),
        ),
    ),
    "spanish": Culture(
        12,
        _words(
            "José Juan Antonio Manuel Francisco Javier Miguel Alejandro Carlos Rafael"
            " Pedro Ángel Jesús Fernando Sergio Pablo Jorge Alberto Luis Diego Álvaro"
            " Adrián Raúl Enrique Ramón Víctor Andrés Joaquín Ignacio Rubén Óscar"
            " Gonzalo Hugo Mateo Santiago Emilio Julián Martín Nicolás Sebastián"
            " Tomás Agustín Esteban Rodrigo Guillermo Felipe"
        ),
        _words(
            "María Carmen Ana Isabel Laura Cristina Marta Lucía Paula Elena Raquel"
            " Sara Rocío Pilar Beatriz Nuria Silvia Patricia Mónica Julia Irene Alba"
            " Andrea Claudia Noelia Verónica Inés Sofía Valentina Camila Daniela"
            " Gabriela Ximena Natalia Lorena Consuelo Dolores Guadalupe Alejandra"
            " Leticia Adriana Rosario Soledad Begoña Ainhoa Marisol"
        ),
        _words(
            "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez"
            " Martín Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso"
            " Gutiérrez Navarro Torres Domínguez Vázquez Ramos Gil Ramírez Serrano"
            " Blanco Molina Morales Suárez Ortega Delgado Castro Ortiz Rubio Marín"
            " Sanz Núñez Iglesias Medina Garrido Cortés Castillo Santos Lozano"
            " Guerrero Cano Prieto Méndez Cruz Calvo Gallego Vidal León Márquez"
            " Herrera Peña Flores Cabrera Campos Vega Fuentes Carrasco Caballero"
            " Reyes Nieto Aguilar Pascual Santana Herrero Lorenzo Montero Hidalgo"
            " Giménez Ibáñez Ferrer Durán Santiago Benítez Mora Vicente Vargas Arias"
            " Carmona Crespo Román Pastor Soto Sáez Velasco Moya Soler Parra Esteban"
            " Bravo Gallardo Rojas"
        ),
        (
            (
                _parts(
                    "Alar Bel Benav Carr Cerv Echev Escob Estr Fig Galv Ibarr Lar"
                    " Mend Olm Quint Salaz Sepulv Valenz Zamor Arr Bust Cid Alm Villa"
                    " Sot Barr Cast Monr Ped Urb Zabal Leg Orm Cabr Tej Ace Agu Amb"
                    " Anz Arg Bal Ben Bor Cal Cam Cor Dom Ela Esc Fal Gar Gue Her Izq"
                    " Jar Lam Lop Mar Nav Ol Pad Pal Quir Ram Rob Sal San Tor Urr Val"
                    " Ver Yag Zap Abad Albar Arc Bad Bec Cab Cañ Cuen Don Esp Fuen"
                    " Gal Ib Lag Leb Mad Mir Mon Muri Ola Orte Par Pla Rec Rod Sag"
                    " Segur Tal Tob Uri Vald Zar"
                ),
                _parts("- an ill er oc"),
                _parts("ez és ado eda ino ón ales uela ero illa oso ente"),
            ),
        ),
        second_surname=0.5,
    ),
    "portuguese": Culture(
        6,
        _words(
            "João António Francisco Rodrigo Tiago Gonçalo Duarte Rui Nuno Bruno"
            " Henrique Gustavo Leonardo Vinícius Thiago Caio Matheus Lucas Rafael"
            " Fábio Sebastião Joaquim Afonso Diogo Vasco Otávio Renato Márcio Cássio"
        ),
        _words(
            "Maria Ana Beatriz Mariana Leonor Matilde Inês Carolina Joana Catarina"
            " Rita Sofia Francisca Larissa Fernanda Juliana Letícia Vitória Lívia"
            " Conceição Graça Fátima Luana Tânia Sónia Márcia Cláudia Débora Patrícia"
            " Bárbara"
        ),
        _words(
            "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes"
            " Ribeiro Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha"
            " Dias Nascimento Andrade Moreira Nunes Marques Machado Mendes Freitas"
            " Cardoso Gonçalves Teixeira Araújo Magalhães Conceição Azevedo Brandão"
            " Figueiredo Guimarães"
        ),
        (
            (
                _parts(
                    "Albu Bar Bragan Cal Cas Fal Fon Gou Mace Mon Pin Quei Sequei"
                    " Taval Vas Ser Lou Bet Cor Mour Sam Vel Esp Trin Abr Ald Alm Ar"
                    " Aze Bast Bran Car Cout Esc Fei Fig Gar Guim Jar Lac Mag Mat Mir"
                    " Mot Nor Pac Por Rib Sal Tor Ama Avel Bel Cab Cerq Dan Eleu Fur"
                    " Lan Leit Mach Nav Palm Quin Ram Ros Sous Tav Val Vian"
                ),
                _parts("- ar el in"),
                _parts("eira inho ães ão ado ares oso ança ais ela ista ões ulo"),
            ),
        ),
        second_surname=0.4,
    ),
    "french": Culture(
        8,
        _words(
            "Jean Pierre Michel André Philippe Alain Jacques Bernard René Marcel"
            " Louis Claude Daniel Christophe Frédéric Stéphane Olivier Sébastien"
            " Nicolas Laurent Thierry Pascal Éric Julien François Guillaume Jérôme"
            " Mathieu Benoît Cédric Gérard Hervé Yves Émile Théo Gaël Aurélien"
            " Clément Maxime Quentin Raphaël Loïc Noël"
        ),
        _words(
            "Marie Jeanne Françoise Monique Catherine Nathalie Isabelle Sylvie Anne"
            " Martine Christine Nicole Sophie Valérie Sandrine Céline Véronique"
            " Aurélie Émilie Chloé Camille Léa Manon Inès Zoé Océane Mathilde Hélène"
            " Geneviève Brigitte Élodie Amélie Margaux Clémence Anaïs Solène Josiane"
            " Odette Pauline Delphine"
        ),
        _words(
            "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau"
            " Simon Laurent Lefèvre Michel David Bertrand Roux Vincent Fournier Morel"
            " Girard André Mercier Dupont Lambert Bonnet François Legrand Garnier"
            " Faure Rousseau Blanc Guérin Henry Roussel Nicolas Perrin Morin Mathieu"
            " Clément Gauthier Dumont Fontaine Chevalier Robin Masson Gérard Boyer"
            " Denis Lemaire Duval Joly Roger Roche Noël Lucas Meunier Marchand Dufour"
            " Blanchard Barbier Brun Dumas Brunet Leroux Colin Renard Arnaud Rolland"
            " Caron Aubert Giraud Leclerc Bourgeois Renaud Lemoine Picard Gaillard"
            " Lacroix Fabre Dupuis Olivier Hubert Guillot Rivière"
        ),
        (
            (
                _parts(
                    "Beau Bel Bois Bon Cham Chau Des Du Fon Gran Lan Lar Mont Pres"
                    " Roch Sau Ver Vil Lafon Mal Ri Cou Tour Bour Mer Ar Bar Bau Ber"
                    " Bla Cha Clo Dal Esc Fau Gar Gi Hau La Le Lou Mar Mau Pa Pe Pon"
                    " Ra Sal Tal Val Ab Am Au Bra Bri Car Cor Dan Dor Fer Fleur Gil"
                    " Gou Jou Lec Lor Mor Nor Pel Per Pir Pou Ros Sou Tes Thi Vau"
                ),
                _parts("- de mar che sse"),
                _parts(
                    "lier mont champ ville court fort vert val lard bert rac teau det"
                    " ron ard aud in ot eau gny"
                ),
            ),
        ),
    ),
    "german": Culture(
        8,
        _words(
            "Hans Peter Wolfgang Klaus Jürgen Dieter Uwe Günter Horst Helmut Werner"
            " Manfred Gerhard Bernd Rolf Heinz Ulrich Matthias Stefan Andreas Thomas"
            " Frank Jörg Sven Lukas Jonas Felix Maximilian Tobias Florian Sebastian"
            " Dominik Moritz Niklas Lars Torsten Volker Rüdiger Detlef Friedrich"
            " Konrad Gottfried Siegfried"
        ),
        _words(
            "Ursula Monika Petra Renate Helga Ingrid Gisela Sabine Brigitte Elke"
            " Karin Gabriele Birgit Heike Anja Katrin Claudia Susanne Andrea Stefanie"
            " Jutta Hannelore Gudrun Irmgard Annegret Lieselotte Jana Lena Leonie"
            " Johanna Mia Greta Frieda Käthe Bärbel Dörte Ilse Waltraud Sigrid Heidi"
            " Antje Silke Ute"
        ),
        _words(
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz"
            " Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz"
            " Zimmermann Braun Krüger Hartmann Lange Werner Krause Lehmann Schmid"
            " Schulze Köhler Herrmann König Walter Huber Kaiser Fuchs Peters Scholz"
            " Möller Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger"
            " Winkler Roth Beck Lorenz Baumann Franke Albrecht Schuster Ludwig Böhm"
            " Winter Schumacher Krämer Vogt Stein Jäger Otto Sommer Seidel Heinrich"
            " Brandt Haas Schreiber Graf Dietrich Ziegler Kuhn Pohl Engel Horn Busch"
            " Bergmann Voigt Sauer Arnold Pfeiffer"
        ),
        (
            (
                _parts(
                    "Alt Bach Berg Blum Brand Eich Eisen Feld Frei Gold Grün Hart Hof"
                    " Holz Kirch Lind Mühl Ober Rosen Schön Schnee Stern Tann Wald"
                    " Wies Zell Dorn Ehren Hagen Kalt Lohr Mittel Neu Pfaff Quell"
                    " Reich Sand Tief Unter Acker Adler Bären Birken Buch Dachs Eber"
                    " Eng Fels Fichten Fink Forst Gras Hasel Heil Hirsch Hoch Kamm"
                    " Kessel Korn Kreuz Lerchen Loh Moos Nuss Pfeffer Rauch Ried Rot"
                    " Salz Sonnen Stock Tauben Wein Weiden Wetter Zeder"
                ),
                _parts("- en ing ol"),
                _parts(
                    "mann berg stein feld bach baum hof hauser huber thaler meyer"
                    " lehner inger schmidt brunner dorf bichler wieser rieder gruber"
                ),
            ),
        ),
    ),
    "italian": Culture(
        7,
        _words(
            "Giuseppe Giovanni Antonio Mario Luigi Francesco Angelo Vincenzo Pietro"
            " Salvatore Carlo Franco Domenico Bruno Paolo Michele Giorgio Aldo Sergio"
            " Luciano Alessandro Lorenzo Matteo Leonardo Riccardo Gabriele Federico"
            " Davide Simone Stefano Massimo Fabrizio Niccolò Emanuele Gianluca"
            " Giacomo Filippo Tommaso Enrico Ottavio"
        ),
        _words(
            "Maria Anna Giuseppina Rosa Angela Giovanna Teresa Lucia Carmela Caterina"
            " Francesca Antonietta Giulia Chiara Alessia Federica Martina Elisa"
            " Silvia Valentina Sara Paola Roberta Daniela Stefania Alessandra Simona"
            " Ilaria Serena Beatrice Ludovica Aurora Ginevra Vittoria Noemi Arianna"
            " Rebecca Benedetta Graziella Nicoletta"
        ),
        _words(
            "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco"
            " Bruno Gallo Conti Mancini Costa Giordano Rizzo Lombardi Moretti"
            " Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini"
            " Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola Marchetti"
            " Parisi Villa Conte Ferraro Fabbri Bianco Marini Grasso Valentini"
            " Messina Sala Gatti Pellegrini Palumbo Sanna Farina Monti Cattaneo"
            " Morelli Amato Silvestri Mazza Testa Grassi Carbone Giuliani Benedetti"
            " Barone Rossetti Caputo Montanari Guerra Palmieri Bernardi Fiore"
            " Ferretti Bellini Basile Riva Donati Piras Battaglia Sartori Neri"
            " Costantini Milani Pagano Ruggiero Sorrentino Orlando Negri"
        ),
        (
            (
                _parts(
                    "Alb Bell Bon Cal Cap Carb Cast Dol Fal Ferr Gal Lom Mar Mont Pal"
                    " Pell Ross Sal Sart Tor Val Ven Zan Bar Cor Fusc Giust Lucch"
                    " Nard Orsi Pizz Quar Sant Tesc Ugol Acc Ang Ben Bra Cer Cop Dam"
                    " Fer Fior Gen Gra Lan Leon Mas Mol Nic Ors Pag Ric Rug Sab Spin"
                    " Tad Vit Zuc Ad Alf Bag Bal Berg Biag Bor Brun Cam Cic Dal Del"
                    " Fab Gar Giann Gil Gu Lib Mag Mel Mor Nob Oliv Pan Pic Pol Quag"
                    " Ruf Scal Ter Tos Urb Zam"
                ),
                _parts("- an ell ol ott"),
                _parts("elli ini etti one ucci ari ato ese azzi ieri otto ardo"),
            ),
        ),
    ),
    "slavic": Culture(
        8,
        _words(
            "Piotr Krzysztof Andrzej Tomasz Paweł Marcin Michał Grzegorz Łukasz Jakub"
            " Mateusz Wojciech Kamil Dariusz Rafał Zbigniew Jarosław Mirosław"
            " Sławomir Przemysław Bartosz Szymon Jiří Petr Jaroslav Zdeněk Václav"
            " Ondřej Dmitri Sergei Vladimir Nikolai Alexei Ivan Mikhail Yuri"
            " Oleksandr Bohdan Taras Dragan Goran Milan Nikola Stjepan Tomislav Dejan"
        ),
        _words(
            "Anna Katarzyna Małgorzata Agnieszka Barbara Ewa Krystyna Elżbieta Zofia"
            " Joanna Magdalena Monika Dorota Aleksandra Natalia Jadwiga Halina"
            " Grażyna Beata Urszula Jana Hana Lenka Kateřina Lucie Tereza Veronika"
            " Olga Svetlana Tatiana Irina Yelena Ekaterina Ludmila Oksana Larysa"
            " Mirjana Snežana Jelena Dragana Vesna Gordana Ivana"
        ),
        _words(
            "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski"
            " Zieliński Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur"
            " Wojciechowski Kwiatkowski Krawczyk Kaczmarek Piotrowski Grabowski Zając"
            " Pawłowski Michalski Król Wieczorek Jabłoński Wróbel Majewski Olszewski"
            " Stępień Malinowski Jaworski Adamczyk Dudek Nowicki Pawlak Górski"
            " Witkowski Walczak Sikora Baran Rutkowski Svoboda Novotný Dvořák Černý"
            " Procházka Kučera Veselý Horák Němec Ivanov Smirnov Kuznetsov Popov"
            " Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov"
            " Lebedev Semenov Egorov Pavlov Kozlov Stepanov Shevchenko Kovalenko"
            " Bondarenko Tkachenko Kravchenko Horvat Kovačević Babić Marić Jurić"
            " Knežević Petrović Jovanović Nikolić Marković Đorđević Stojanović Ilić"
        ),
        (
            (
                _parts(
                    "Bor Bran Chmiel Dob Gaw Grab Jab Kal Kos Krzy Lis Mil Mroz Nied"
                    " Ol Pta Rad Sob Stan Szcz Wil Wol Zar Zdan Kow Pet Nov Vuk Bel"
                    " Dub Hrab Lub Bial Cieś Dąb Gór Hor Jel Kacz Krup Kuch Lesz Maj"
                    " Mich Nos Orl Pior Pol Rud Sad Sik Sow Szab Tkach Wach Wiecz Zaj"
                    " Zel Żur Kraw Mak Bart Bog Ciep Dziub Gol Jan Kaz Kier Kop Lat"
                    " Mat Nar Pas Rog Skr Sok Szym Tom Wit Zbor Czar Fil Gaj Hol Luk"
                    " Mik Pot Sław Tur Wes"
                ),
                _parts("- ow ek an ul ic"),
                _parts("ski czyk ewicz enko ov ović uk iak owski ar"),
            ),
        ),
    ),
    "nordic": Culture(
        5,
        _words(
            "Lars Erik Anders Johan Karl Nils Per Björn Magnus Mikael Henrik Fredrik"
            " Mats Ole Søren Jens Niels Rasmus Mads Kasper Morten Jørgen Thorsten"
            " Gunnar Håkan Göran Jukka Mikko Matti Juha Timo Sigurd Einar Oddvar Leif"
            " Arne Torbjørn Halvard"
        ),
        _words(
            "Kristina Margareta Karin Birgitta Ingrid Elisabeth Kerstin Ulla Britt"
            " Astrid Sigrid Solveig Ingeborg Åsa Malin Linnéa Maja Freja Saga Ebba"
            " Signe Mette Hanne Lene Kirsten Pernille Sanna Liisa Aino Tuula Päivi"
            " Ritva Marjatta Hildur Ragnhild Tove Gunilla Annika Maren"
        ),
        _words(
            "Hansen Johansson Nielsen Andersson Jensen Karlsson Pedersen Nilsson"
            " Larsen Eriksson Olsen Larsson Sørensen Olsson Persson Svensson"
            " Gustafsson Pettersson Jónsson Lindberg Lindqvist Lindström Håkansson"
            " Bergström Sandberg Lundqvist Holm Dahl Åberg Björk Sjöberg Nyström"
            " Engström Virtanen Korhonen Mäkinen Nieminen Hämäläinen"
        ),
        (
            (
                _parts(
                    "Ahl Berg Björk Dahl Ek Fors Gran Hag Holm Lind Lund Malm Nord"
                    " Sand Sjö Ström Sund Vall Wik Åker Ny Ros Stjern Öst Väst Alm"
                    " Fjell Gyllen Hed Asp Bjur Bäck Ceder Eng Falk Gull Hall Hav Hög"
                    " Kvarn Lång Mos Rå Sjög Skog Stål Sten Söder Tall Tor Vik Ädel"
                ),
                _parts("- en ing ar"),
                _parts(
                    "berg gren lund qvist ström dahl holm blad mark vall stedt by"
                    " sten näs sson lin borg fält man rud"
                ),
            ),
        ),
    ),
    "irish": Culture(
        4,
        _words(
            "Seán Patrick Liam Ciarán Niall Conor Eoin Cormac Declan Dónal Fergal"
            " Colm Tadhg Oisín Padraig Diarmuid Ruairí Cathal Brendan Kieran Aidan"
            " Eamon Lorcan Rory Ronan"
        ),
        _words(
            "Siobhán Aoife Niamh Caoimhe Saoirse Róisín Orla Clodagh Sinéad Aisling"
            " Gráinne Máire Bríd Deirdre Nuala Sorcha Éabha Eimear Fionnuala Aoibhinn"
            " Muireann Ailbhe Bronagh Maeve Ciara"
        ),
        _words(
            "Murphy Kelly Walsh Byrne Ryan O'Brien Doyle Kennedy Lynch Murray Quinn"
            " Daly Brennan Gallagher Doherty Nolan Reilly Duffy Kavanagh Fitzgerald"
            " Dunne Hogan Keane Flanagan O'Sullivan O'Connor McCarthy"
        ),
        (
            (
                _parts("Mac Mc O'"),
                _parts(
                    "Brien Carthy Donnell Connor Sullivan Neill Kenna Grath Mahon"
                    " Namara Guire Laughlin Dermott Kenzie Cormack Gowan Kinley Garry"
                    " Fadden Dowd Hanlon Rourke Leary Shea Keeffe"
                ),
            ),
        ),
        borrows=("english",),
    ),
    "greek": Culture(
        3,
        _words(
            "Georgios Dimitrios Konstantinos Ioannis Nikolaos Panagiotis Christos"
            " Vasileios Athanasios Evangelos Spyridon Theodoros Stavros Michail"
            " Emmanouil Apostolos Charalampos Anastasios Kyriakos Sotirios Stylianos"
            " Ilias Petros Alexandros"
        ),
        _words(
            "Eleni Aikaterini Vasiliki Sofia Angeliki Dimitra Georgia Konstantina"
            " Paraskevi Evangelia Ioanna Chrysoula Panagiota Despina Fotini Theodora"
            " Kalliopi Stavroula Anastasia Eirini Athina Zoi Magdalini Antigoni"
            " Ourania"
        ),
        _words(
            "Papadopoulos Papadakis Georgiou Nikolaidis Christodoulou Ioannou"
            " Konstantinidis Dimitriou Vlachos Karagiannis Oikonomou Antoniou Pappas"
            " Athanasiou Makris"
        ),
        (
            (
                _parts(
                    "Alex Anag Chris Dim Kal Kar Kost Lamb Mav Nik Pan Pap Sta Theo"
                    " Tsak Vas Xen Zach Georg Mich Ang Arg Chat Dem Evang Gian Iat"
                    " Kour Lef Mal Mand Mar Pol Rig Sar Sot Tzan Vlach Zaf Ag Ath Dra"
                    " Fil Kalo Kanel Kat Kyr Lag Mak Ntal Orf Pav Pet Sakel Skour"
                    " Soul Stef Tri Ver Zer"
                ),
                _parts("- an ol"),
                _parts("opoulos akis idis iou atos elis oglou eas inos oudis antis"),
            ),
        ),
    ),
    # Turkish spells with the dotless i, which ruff takes for a look-alike of i.
    "turkish": Culture(
        3,
        _words(
            "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat"
            " Ömer Ramazan Halil Süleyman Abdullah Mahmut Recep Fatih Emre Burak"
            " Serkan Gökhan Barış Onur Çağlar Tolga Kerem Oğuz Uğur"  # noqa: RUF001
        ),
        _words(
            "Fatma Ayşe Emine Hatice Zeynep Elif Meryem Şerife Zehra Sultan Hanife"
            " Merve Özlem Yasemin Esra Büşra Derya Gülsüm Songül Sevgi Leyla Aslı"  # noqa: RUF001
            " Ebru Gizem Tuğba Nesrin Dilek Hülya Şule Canan"
        ),
        _words(
            "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir"  # noqa: RUF001
            " Arslan Doğan Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Erdoğan"  # noqa: RUF001
            " Güneş Aksoy Korkmaz"
        ),
        (
            (
                _parts(
                    "Ak Al Ay Bal Bay Can Demir Er Gök Gül Kara Kay Öz Sarı Tek"  # noqa: RUF001
                    " Toprak Uy Yıldır Yurt Koç Şen Taş Alp Ars Ata Bil Bol Cem Çak"  # noqa: RUF001
                    " Dur Ece Eren Gür Han Ilk Kal Kor Kut Oral Sev Tan Tun Uçar Ün"
                    " Yal Yaz Ağa Ayd Baş Boz Çel Dem Elm Gen Kır Kol Mer Nur Ok Ser"  # noqa: RUF001
                    " Şah Tok Uz Yen Yüce"
                ),
                _parts("- er"),
                _parts("taş soy can kaya oğlu tekin dağ türk el han ören bay gün alp ci" " man"),
            ),
        ),
    ),
    "arabic": Culture(
        3,
        _words(
            "Mohammed Ahmed Mahmoud Omar Youssef Khaled Hassan Hussein Ibrahim Tariq"
            " Karim Samir Walid Nabil Faisal Rashid Hamza Bilal Ziad Jamal Adel"
            " Nasser Sami Fadi Majid Anwar Hisham Marwan"
        ),
        _words(
            "Fatima Aisha Mariam Layla Nour Yasmin Amira Salma Hana Rania Dina Samira"
            " Lina Huda Noura Zainab Khadija Farah Reem Ghada Mona Maha Asma Jamila"
            " Rasha Suad Wafa Lubna Nadia Hiba"
        ),
        _words(
            "Haddad Khoury Mansour Saleh Hassan Hussein Ibrahim Khalil Youssef"
            " Abdallah Farah Aziz Hamdan Rahman Karim Bakr Qureshi Othman Suleiman"
            " Mahmoud Mustafa Awad Darwish"
        ),
        (
            (
                _parts("Al -"),
                _parts(
                    "hash zahr qaht ghamd shamr otaib harb mutair dawsar subai ansar"
                    " jabr tamim khal najj masr baghd tikr yem ahmad amir asad fahd"
                    " hamad hazm jaz kuw maml qasim sadr sayy shih sulaym tahir wahh"
                    " zub abd aql bark dabb fay ghan haj jam kabb lah mans mudh nab"
                    " nouf qadd rif sab salm shaq tal ubayd wal yaf zaid"
                ),
                _parts("i ani ouri idi"),
            ),
        ),
        second_given=0.5,
    ),
    "west_african": Culture(
        2,
        _words(
            "Chukwuemeka Oluwaseun Adebayo Babatunde Olumide Chinedu Emeka Obinna"
            " Kwame Kofi Kwabena Kojo Kwesi Ifeanyi Tunde Segun Femi Nnamdi Uche"
            " Ikenna Musa Ibrahim Abubakar Sani Yakubu Kelechi Chidi Ayodele Olamide"
        ),
        _words(
            "Ngozi Chioma Adaeze Amaka Folake Funmilayo Yetunde Oluwakemi Abimbola"
            " Titilayo Akosua Abena Adwoa Efua Akua Esi Chiamaka Nneka Ifeoma"
            " Blessing Precious Aminat Halima Zainab Hauwa Bisola Temitope Omolara"
        ),
        _words(
            "Okafor Okonkwo Adeyemi Olawale Mensah Asante Boateng Owusu Osei Adjei"
            " Nwosu Eze Obi Chukwu Ogunleye Adebayo Danjuma Abubakar Bello Okeke"
            " Agyeman Appiah Darko"
        ),
        (
            (
                _parts(
                    "Ade Ola Olu Oye Ayo Ogun Ife Ibi Aki Fola Bami Oke Abi Alu Bola"
                    " Dami Fadi Kay Ogo Oni Owo Seg Tai"
                ),
                _parts(
                    "bayo wale yemi tunde kunle seun dele sola lana nuga wole kanmi"
                    " yinka jide sanya bode kola"
                ),
            ),
            (
                _parts("Nw Ok Ob Chukw Ez Uch On Ig Anyan Nd Ak Ik Ny Um Ag Eb Mb Ihe"),
                _parts("afor onkwo osu eke emba uwa ora oye ani ogu ezie"),
            ),
        ),
        second_given=0.3,
    ),
    "south_asian": Culture(
        4,
        _words(
            "Rahul Amit Rajesh Sanjay Vijay Suresh Ramesh Anil Sunil Arjun Vikram"
            " Rohan Aditya Nikhil Pranav Karthik Srinivas Venkatesh Ganesh Harish"
            " Manoj Deepak Ashok Prakash Imran Farhan Asif Rizwan Zubair Arun"
        ),
        _words(
            "Priya Anjali Sunita Kavita Pooja Neha Divya Lakshmi Meena Deepa Anita"
            " Rekha Shalini Swati Aishwarya Shreya Ananya Kavya Nandini Radhika"
            " Sushma Geeta Padma Revathi Saanvi Ayesha Sana Nazia Farzana Shabnam"
        ),
        _words(
            "Patel Sharma Singh Kumar Gupta Shah Reddy Iyer Nair Mehta Joshi Desai"
            " Chatterjee Banerjee Mukherjee Bose Pillai Menon Verma Agarwal Kapoor"
            " Malhotra Chopra Khan Ahmed Chaudhry Siddiqui"
        ),
        (
            (
                _parts(
                    "Ban Bhat Chak Chand Dhar Gan Kul Mal Mit Mukh Nar Pan Rag Ram"
                    " Sri Sub Sun Ven Kris Shiv Gop Mad Anan Bal Bhag Chau Dev Gok"
                    " Har Jag Kam Kes Lal Man Moh Nag Pras Raj Sar Sat Shan Tri Vis"
                    " Yad"
                ),
                _parts("- an ur"),
                _parts("kar jee pathi nathan swamy wal ani oria endra dev raman"),
            ),
        ),
        second_given=0.3,
    ),
    "japanese": Culture(
        2,
        _words(
            "Hiroshi Takashi Kenji Satoshi Makoto Kazuki Daisuke Yuki Haruto Sota"
            " Riku Kenta Shota Naoki Takumi Ryota Yusuke Kenichi Hideo Masato Tetsuya"
            " Akira Shinji Kazuo Nobuo"
        ),
        _words(
            "Yoko Keiko Akiko Tomoko Yumiko Naoko Emi Yui Hina Sakura Aoi Mei Rin"
            " Haruka Misaki Ayumi Kaori Mayumi Megumi Noriko Sachiko Yuko Chiyo"
            " Mariko Kumiko"
        ),
        _words(
            "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi"
            " Kato Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi"
            " Shimizu Yamazaki Mori Abe Ikeda Hashimoto Ishikawa"
        ),
        (
            (
                _parts(
                    "Aka Fuji Hashi Hira Ishi Kawa Kita Kiyo Kuro Matsu Miya Mori"
                    " Naka Nishi Oka Ota Saka Shima Shira Taka Tsuchi Uchi Yama Yoshi"
                    " Ao Hoshi Asa Chi Fuku Hama Hata Hon Ichi Iwa Kane Kiku Koba"
                    " Maru Mizu Oda Sawa Suga Tama Tomi Ume Wada"
                ),
                _parts(
                    "moto da kawa mura yama shita hara zaki no mori guchi bayashi oka"
                    " hashi naga kami be"
                ),
            ),
        ),
    ),
}

# Letters that are not a base letter plus combining accents in Unicode, folded as the registry's
# sort key folds them (migration 0001), dotless i as its dotted twin.
_PLAIN = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "\u0131": "i"})  # dotless i
_DROPPED = re.compile("['\u2019.]")
_SPLIT = re.compile(r"[\W_]+")


def strip_accents(text: str) -> str:
    """`text` as typed on a keyboard without accents: case and everything else kept."""
    return " ".join(_plain(word) for word in text.split(" "))


@cache
def _plain(word: str) -> str:
    if word.isascii():
        return word
    plain = []
    for char in word:
        lower = char.lower()
        folded = lower.translate(_PLAIN)
        plain.append(char if folded == lower else folded.upper() if char.isupper() else folded)
    decomposed = unicodedata.normalize("NFKD", "".join(plain))
    return unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
    )


@cache
def fold(name: str) -> str:
    """The name as the registry's `name_key` compares it: lower case, Latin accents removed,
    apostrophes and dots dropped, split at other punctuation, words sorted."""
    words = _SPLIT.split(_DROPPED.sub("", strip_accents(name).lower()))
    return " ".join(sorted(word for word in words if word))


def _near_keys(word: str) -> Iterable[str]:
    """Keys two words share when they are at most one edit apart: the word, itself less one
    letter, and itself with one letter wild (`\\0`)."""
    yield word
    for index in range(len(word)):
        yield word[:index] + word[index + 1 :]
        yield word[:index] + "\0" + word[index + 1 :]


def spread_out(names: Iterable[str], kept: Iterable[str] = ()) -> list[str]:
    """`kept` (all of them), then those of `names` (first come first kept) whose folded form is
    at least two edits from every name kept before, or equal to one."""
    out: list[str] = []
    exact: set[str] = set()
    shortened: set[str] = set()
    wild: set[str] = set()
    for name in (*kept, *names):
        key = fold(name)
        deletions = [key[:i] + key[i + 1 :] for i in range(len(key))]
        wilds = [key[:i] + "\0" + key[i + 1 :] for i in range(len(key))]
        if key not in exact and (
            key in shortened
            or any(deleted in exact for deleted in deletions)
            or any(pattern in wild for pattern in wilds)
        ):
            continue
        out.append(name)
        exact.add(key)
        shortened.update(deletions)
        wild.update(wilds)
    return out


def _zipf(count: int, offset: float, exponent: float) -> list[float]:
    """Cumulative weights of ranks 0..count-1: 1 / (rank + offset) ** exponent."""
    return list(itertools.accumulate(1 / (rank + offset) ** exponent for rank in range(count)))


@dataclass(frozen=True)
class Pool:
    """One culture's names after spreading out, with cumulative Zipf-like weights."""

    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    male_weights: tuple[float, ...]
    female_weights: tuple[float, ...]
    surname_weights: tuple[float, ...]


_VOWEL = set("aeiouyàáâãäåèéêëìíîïòóôõöùúûüýæøœ")


def _awkward(parts: Sequence[str]) -> bool:
    """A join no one writes (see `_awkward_seam`) between two of the parts."""
    return any(
        _awkward_seam(left.lower(), right.lower())
        for left, right in itertools.pairwise(part for part in parts if part)
    )


@cache
def _awkward_seam(left: str, right: str) -> bool:
    """Across the seam: three equal letters, three vowels, four consonants, a rarely doubled
    letter doubled ("Esc" + "che"), or a repeat ("Borow" + "owski")."""
    seam, cut = left[-3:] + right[:3], len(left[-3:])

    def across(width: int) -> Iterable[str]:
        return (seam[i : i + width] for i in range(max(0, cut - width + 1), cut))

    return (
        any(len(set(window)) == 1 for window in across(3) if len(window) == 3)
        or any(all(c in _VOWEL for c in window) for window in across(3) if len(window) == 3)
        or any(all(c not in _VOWEL for c in window) for window in across(4) if len(window) == 4)
        or (left[-1] == right[0] and left[-1] in "chjkwz")
        or any(len(right) >= k and left.endswith(right[:k]) for k in (2, 3))
    )


def _composed(culture: Culture, rng: random.Random) -> list[str]:
    """The culture's composed surnames, in a fixed shuffled order (their frequency rank)."""
    names = [
        "".join(parts)
        for scheme in culture.schemes
        for parts in itertools.product(*scheme)
        if "".join(parts) and not _awkward(parts)
    ]
    names = [name[0].upper() + name[1:] for name in names]
    rng.shuffle(names)
    return names


@cache
def pools() -> dict[str, Pool]:
    """Every culture's names: its real first names and surnames, and the composed surnames that
    are at least two edits from every real or composed one kept before them (all cultures'
    taken in turn); a culture that borrows another's gets those too, after its own."""
    rng = random.Random(SEED)
    real = [name for culture in CULTURES.values() for name in culture.surnames]
    composed = {key: _composed(culture, rng) for key, culture in CULTURES.items()}
    # Composed surnames interleaved across cultures, so no culture's tail is spread out first.
    interleaved = [
        name
        for group in itertools.zip_longest(*composed.values())
        for name in group
        if name is not None
    ]
    kept = set(spread_out(interleaved, kept=real))
    out: dict[str, Pool] = {}
    for key, culture in CULTURES.items():
        own = [name for name in composed[key] if name in kept]
        borrowed = [name for other in culture.borrows for name in composed[other] if name in kept]
        tail = [name for pair in itertools.zip_longest(own, borrowed) for name in pair if name]
        surnames = tuple(dict.fromkeys([*culture.surnames, *tail]))
        out[key] = Pool(
            culture.male,
            culture.female,
            surnames,
            tuple(_zipf(len(culture.male), FIRST_OFFSET, FIRST_EXPONENT)),
            tuple(_zipf(len(culture.female), FIRST_OFFSET, FIRST_EXPONENT)),
            tuple(_zipf(len(surnames), SURNAME_OFFSET, SURNAME_EXPONENT)),
        )
    return out


@dataclass
class Person:
    """One record before it is numbered: its name's parts, the rest of its fields, and how
    common its name is in its culture (first name's rank + surname's, RARE more per extra
    name)."""

    given: tuple[str, ...]
    family: tuple[str, ...]
    gender: str
    age: int
    condition: str
    last_visit: str
    rank: int
    name: str = ""
    patient_id: str = ""
    json_id: str = ""
    base: "Person | None" = None
    kind: str = ""
    rule: str = ""  # the phonetic variant's spelling rule

    def __post_init__(self) -> None:
        if not self.name:
            self.name = " ".join((*self.given, *self.family))

    def record(self) -> Record:
        """The person as json-server stores it."""
        return {
            "id": self.json_id,
            "patientID": self.patient_id,
            "name": self.name,
            "age": self.age,
            "gender": self.gender,
            "medicalCondition": self.condition,
            "lastVisit": self.last_visit,
        }


def _pick(rng: random.Random, names: Sequence[str], cumulative: Sequence[float]) -> tuple[str, int]:
    """A name drawn by weight, and its rank (0 the most common)."""
    index = rng.choices(range(len(names)), cum_weights=cumulative, k=1)[0]
    return names[index], index


def _age(rng: random.Random) -> int:
    """A clinic's spread of ages: most adults, some children, few over 95."""
    while True:
        age = round(rng.gauss(44, 22))
        if 1 <= age <= 100:
            return age


def _visit(rng: random.Random) -> str:
    return (FIRST_VISIT + timedelta(days=rng.randrange(VISIT_DAYS))).isoformat()


def base_person(
    rng: random.Random, cultures: Sequence[str], culture_weights: list[float]
) -> Person:
    """One person of a culture drawn by weight: gender, first name(s) of that gender (either
    list for Other), surname(s), age, condition, last visit."""
    key, _ = _pick(rng, cultures, culture_weights)
    pool, culture = pools()[key], CULTURES[key]
    gender = rng.choices(GENDERS, weights=GENDER_WEIGHTS, k=1)[0]
    lists = (
        (pool.male, pool.male_weights)
        if gender == "Male" or (gender == "Other" and rng.random() < 0.5)
        else (pool.female, pool.female_weights)
    )
    given, rank = _pick(rng, *lists)
    givens = [given]
    if rng.random() < culture.second_given:
        second, _ = _pick(rng, *lists)
        if second != given:
            givens.append(second)
            rank += RARE
    surname, surname_rank = _pick(rng, pool.surnames, pool.surname_weights)
    rank += surname_rank
    family = [surname]
    if rng.random() < culture.second_surname:
        other, _ = _pick(rng, pool.surnames, pool.surname_weights)
        if other != surname:
            family.append(other)
            rank += RARE
    return Person(
        tuple(givens),
        tuple(family),
        gender,
        _age(rng),
        rng.choice(CONDITIONS),
        _visit(rng),
        rank,
    )


# --- the kinds of change ---------------------------------------------------------------------

KEYBOARD = {
    "q": "wa",
    "w": "qes",
    "e": "wrd",
    "r": "etf",
    "t": "ryg",
    "y": "tuh",
    "u": "yij",
    "i": "uok",
    "o": "ipl",
    "p": "ol",
    "a": "qsz",
    "s": "adwx",
    "d": "sfec",
    "f": "dgrv",
    "g": "fhtb",
    "h": "gjyn",
    "j": "hkum",
    "k": "jli",
    "l": "kop",
    "z": "ax",
    "x": "zcs",
    "c": "xvd",
    "v": "cbf",
    "b": "vng",
    "n": "bmh",
    "m": "nj",
}
# Spellings that sound alike, each applied once where its pattern matches: ph/f, y/i (y before
# a consonant or at the end), ck/k, th/t, hard c/k, sch/sh, a doubled consonant as one.
PHONETIC: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("ph", re.compile(r"ph", re.IGNORECASE), "f"),
    ("y", re.compile(r"y(?=[bcdfghjklmnpqrstvwxz]|$)", re.IGNORECASE), "i"),
    ("ck", re.compile(r"ck", re.IGNORECASE), "k"),
    ("th", re.compile(r"(?<!t)th", re.IGNORECASE), "t"),
    ("c", re.compile(r"(?<![sc])c(?=[aoulr]|$)", re.IGNORECASE), "k"),
    ("sch", re.compile(r"sch", re.IGNORECASE), "sh"),
    ("double", re.compile(r"([bcdfgklmnprstvz])\1", re.IGNORECASE), ""),
)


def _with_case(new: str, old: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def phonetic_variants(word: str, rule: str) -> list[str]:
    """`word` with one occurrence of `rule`'s spelling replaced by its sound-alike."""
    _, pattern, new = next(item for item in PHONETIC if item[0] == rule)
    out = []
    for match in pattern.finditer(word):
        replacement = match.group(1) if rule == "double" else _with_case(new, match.group(0))
        out.append(word[: match.start()] + replacement + word[match.end() :])
    return out


def _letters(word: str, ascii_only: bool = False) -> list[int]:
    """Positions of letters a typist might get wrong: not the first, letters only."""
    return [
        index
        for index, char in enumerate(word)
        if index > 0 and char.isalpha() and (not ascii_only or char.lower() in KEYBOARD)
    ]


def _in_one_word(
    rng: random.Random, person: Person, change: Callable[[random.Random, str], str | None]
) -> str | None:
    """The name with `change` applied to one of its words (longer words more often, as typos
    fall on letters), or None if no word can take it."""
    words = person.name.split(" ")
    order = sorted(range(len(words)), key=lambda i: -(rng.random() ** (1 / max(len(words[i]), 1))))
    for index in order:
        changed = change(rng, words[index])
        if changed is not None and changed != words[index]:
            return " ".join([*words[:index], changed, *words[index + 1 :]])
    return None


def _typo(rng: random.Random, word: str) -> str | None:
    spots = _letters(word, ascii_only=True)
    if len(word) < 4 or not spots:
        return None
    index = rng.choice(spots)
    char = rng.choice(KEYBOARD[word[index].lower()])
    return word[:index] + (char.upper() if word[index].isupper() else char) + word[index + 1 :]


def _dropped(rng: random.Random, word: str) -> str | None:
    spots = _letters(word)
    if len(word) < 4 or not spots:
        return None
    index = rng.choice(spots)
    return word[:index] + word[index + 1 :]


def _doubled(rng: random.Random, word: str) -> str | None:
    spots = [
        index
        for index in _letters(word)
        if word[index - 1].lower() != word[index].lower()
        and (index + 1 == len(word) or word[index + 1].lower() != word[index].lower())
    ]
    if len(word) < 3 or not spots:
        return None
    index = rng.choice(spots)
    return word[: index + 1] + word[index] + word[index + 1 :]


def _swapped(rng: random.Random, person: Person) -> str:
    family, given = " ".join(person.family), " ".join(person.given)
    return f"{family}, {given}" if rng.random() < 0.5 else f"{family} {given}"


def _phonetic(rng: random.Random, person: Person, rule: str) -> str | None:
    def change(rng: random.Random, word: str) -> str | None:
        variants = phonetic_variants(word, rule)
        return rng.choice(variants) if variants else None

    return _in_one_word(rng, person, change)


def _phonetic_rules(person: Person) -> list[str]:
    return [
        rule for rule, _, _ in PHONETIC if any(phonetic_variants(w, rule) for w in _all(person))
    ]


def _all(person: Person) -> tuple[str, ...]:
    return (*person.given, *person.family)


def _has_accents(person: Person) -> bool:
    return strip_accents(person.name) != person.name


def _edited_id(rng: random.Random, patient_id: str, taken: set[str]) -> str:
    """`patient_id` with one character changed (a digit for a digit, a letter for a letter),
    unused ignoring case."""
    while True:
        index = rng.randrange(len(patient_id))
        old = patient_id[index]
        pool = "0123456789" if old.isdigit() else "ABCDEFGHJKLMNRSTVWXZ"
        new = rng.choice([char for char in pool if char.lower() != old.lower()])
        candidate = patient_id[:index] + new + patient_id[index + 1 :]
        if candidate.lower() not in taken:
            return candidate


# --- the data set ------------------------------------------------------------------------------


@dataclass
class Labelled:
    """Every record in db.json order, with the pairs it is labelled by."""

    records: list[Record]
    duplicates: list[dict[str, str]]
    distinct: list[dict[str, str]]
    coincidental_pairs: list[tuple[str, str]]
    stats: dict[str, Any]

    def duplicate_pairs(self) -> set[frozenset[str]]:
        """The labelled duplicates, as unordered pairs of ids."""
        return {frozenset((pair["a"], pair["b"])) for pair in self.duplicates}

    def labels(self) -> dict[str, Any]:
        """labels.json's content."""
        return {
            "duplicates": self.duplicates,
            "distinct": self.distinct,
            "coincidental": len(self.coincidental_pairs),
            "coincidental_pairs": [list(pair) for pair in self.coincidental_pairs],
        }


def duplicate_count(size: int) -> int:
    """1% of the base patients, at least MIN_DUPLICATES, rounded up to a multiple of KINDS."""
    wanted = max(MIN_DUPLICATES, math.ceil(size * DUPLICATE_SHARE))
    return math.ceil(wanted / len(KINDS)) * len(KINDS)


def _duplicate(rng: random.Random, base: Person, kind: str, rule: str = "") -> Person | None:
    """A copy of `base` registered again with one change of `kind` (None if it cannot take
    it); its condition sometimes updated, its last visit its own."""
    name: str | None = base.name
    age = base.age
    if kind == "one_letter_typo":
        name = _in_one_word(rng, base, _typo)
    elif kind == "dropped_letter":
        name = _in_one_word(rng, base, _dropped)
    elif kind == "doubled_letter":
        name = _in_one_word(rng, base, _doubled)
    elif kind == "accents_removed":
        name = strip_accents(base.name) if _has_accents(base) else None
    elif kind == "swapped_order":
        name = _swapped(rng, base)
    elif kind == "phonetic_variant":
        name = _phonetic(rng, base, rule)
    elif kind == "age_off_by_one":
        age = base.age + (1 if base.age == 1 or (base.age < 150 and rng.random() < 0.5) else -1)
    if name is None:
        return None
    condition = base.condition if rng.random() < 0.6 else rng.choice(CONDITIONS)
    copy = replace(base, name=name, age=age, condition=condition, last_visit=_visit(rng), base=base)
    copy.kind, copy.rule = kind, rule
    return copy


def _other(rng: random.Random, base: Person) -> Person:
    """Someone else with `base`'s name: the other gender, an age 5 to 40 years apart."""
    gender = {"Male": "Female", "Female": "Male"}.get(base.gender) or rng.choice(GENDERS[:2])
    gap = rng.randint(5, 40)
    age = base.age + gap if base.age + gap <= 100 or base.age - gap < 1 else base.age - gap
    return replace(
        base,
        gender=gender,
        age=age,
        condition=rng.choice(CONDITIONS),
        last_visit=_visit(rng),
        base=base,
        kind="distinct",
    )


def _take(rng: random.Random, candidates: list[Person], used: set[int]) -> Person | None:
    """A random candidate not used yet (used ones are dropped on the way)."""
    while candidates:
        index = rng.randrange(len(candidates))
        candidates[index], candidates[-1] = candidates[-1], candidates[index]
        person = candidates.pop()
        if id(person) not in used:
            used.add(id(person))
            return person
    return None


def _duplicates(rng: random.Random, people: list[Person], used: set[int]) -> list[Person]:
    """duplicate_count(len(people)) duplicates, kinds spread evenly, one per base person;
    accents_removed from people with accents, each phonetic rule in turn where it applies."""
    per_kind = duplicate_count(len(people)) // len(KINDS)
    everyone = list(people)
    accented = [person for person in people if _has_accents(person)]
    by_rule: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        for rule in _phonetic_rules(person):
            by_rule[rule].append(person)
    made: list[Person] = []
    for kind in KINDS:
        done = 0
        while done < per_kind:
            rule = ""
            if kind == "phonetic_variant":
                rules = [rule for rule, _, _ in PHONETIC if by_rule[rule]]
                rule = rules[done % len(rules)]
                candidates = by_rule[rule]
            else:
                candidates = accented if kind == "accents_removed" else everyone
            base = _take(rng, candidates, used)
            if base is None:
                raise ValueError(f"too few base patients for {per_kind} of {kind}")
            copy = _duplicate(rng, base, kind, rule)
            if copy is None:
                used.discard(id(base))
                continue
            made.append(copy)
            done += 1
    return made


def _hard_non_duplicates(rng: random.Random, people: list[Person], used: set[int]) -> list[Person]:
    """DISTINCT_PAIRS people sharing a common name with a base patient (drawn from the
    COMMON_SHARE x DISTINCT_PAIRS patients whose names rank first in their culture, one per
    name) but with another gender and age."""
    ranked = sorted(people, key=lambda person: person.rank)
    common = ranked[: DISTINCT_PAIRS * COMMON_SHARE]
    rng.shuffle(common)
    made: list[Person] = []
    names: set[str] = set()
    for person in common:
        key = fold(person.name)
        if key in names:
            continue
        names.add(key)
        used.add(id(person))
        made.append(_other(rng, person))
        if len(made) == DISTINCT_PAIRS:
            return made
    raise ValueError(f"too few distinct names for {DISTINCT_PAIRS} hard non-duplicates")


def _number(rng: random.Random, people: list[Person]) -> None:
    """Shuffle into registration order; json-server ids "1".."M" and patientIDs P0000001..
    in that order; the patientID-typo duplicates then get their base's ID with one edit."""
    rng.shuffle(people)
    width = max(7, len(str(len(people))))
    for index, person in enumerate(people, start=1):
        person.json_id = str(index)
        person.patient_id = f"P{index:0{width}d}"
    taken = {person.patient_id.lower() for person in people}
    for person in people:
        if person.kind == "patient_id_one_edit" and person.base is not None:
            taken.discard(person.patient_id.lower())
            person.patient_id = _edited_id(rng, person.base.patient_id, taken)
            taken.add(person.patient_id.lower())


def coincidences(records: list[Record], labelled: set[frozenset[str]]) -> list[tuple[str, str]]:
    """Unlabelled pairs with the same folded name and gender, ages at most a year apart."""
    groups: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in records:
        groups[(record["gender"], fold(record["name"]))].append(record)
    return _age_pairs(groups.values(), labelled)


def _age_pairs(
    groups: Iterable[list[Record]], labelled: set[frozenset[str]]
) -> list[tuple[str, str]]:
    """The unlabelled pairs within each group whose ages are at most a year apart."""
    found: set[tuple[str, str]] = set()
    for group in groups:
        if len(group) < 2:
            continue
        by_age = sorted(group, key=lambda record: int(record["age"]))
        for i, one in enumerate(by_age):
            for other in by_age[i + 1 :]:
                if other["age"] - one["age"] > 1:
                    break
                pair = frozenset((one["id"], other["id"]))
                if pair not in labelled:
                    a, b = sorted(pair, key=int)
                    found.add((a, b))
    return sorted(found, key=lambda pair: (int(pair[0]), int(pair[1])))


def near_coincidences(records: list[Record], labelled: set[frozenset[str]]) -> int:
    """Unlabelled pairs of the same gender, ages at most a year apart, whose folded names are
    exactly one edit apart: what a typo looks like, between two people."""
    groups: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in records:
        for key in set(_near_keys(fold(record["name"]))):
            groups[(record["gender"], key)].append(record)
    pairs = _age_pairs((group for group in groups.values() if len(group) > 1), labelled)
    names = {record["id"]: fold(record["name"]) for record in records}
    return sum(1 for a, b in pairs if names[a] != names[b])


def _distinguishable(rng: random.Random, people: list[Person]) -> int:
    """Re-draw the age of a base person who would share a folded name and gender with another,
    ages at most a year apart: nothing in the records could tell those two from one person
    registered twice, so they would be label noise rather than a test of the rule. How many
    ages were re-drawn (the report says so)."""
    ages: dict[tuple[str, str], list[int]] = defaultdict(list)
    redrawn = 0
    for person in people:
        taken = ages[(fold(person.name), person.gender)]
        for _ in range(REDRAWS):
            if all(abs(person.age - other) > 1 for other in taken):
                break
            person.age = _age(rng)
            redrawn += 1
        taken.append(person.age)
    return redrawn


def build(size: int = DEFAULT_SIZE, seed: int = SEED) -> Labelled:
    """The base patients, their duplicates and hard non-duplicates, numbered and labelled."""
    rng = random.Random(seed)
    cultures = list(CULTURES)
    weights = list(itertools.accumulate(CULTURES[key].weight for key in cultures))
    people = [base_person(rng, cultures, weights) for _ in range(size)]
    redrawn = _distinguishable(rng, people)
    used: set[int] = set()
    distinct = _hard_non_duplicates(rng, people, used)
    duplicates = _duplicates(rng, people, used)
    everyone = [*people, *duplicates, *distinct]
    _number(rng, everyone)
    records = [person.record() for person in sorted(everyone, key=lambda p: int(p.json_id))]
    labelled = {frozenset((p.base.json_id, p.json_id)) for p in duplicates if p.base is not None}
    coincidental = coincidences(records, labelled)
    base_ids = {person.json_id for person in people}
    pool = pools()
    stats: dict[str, Any] = {
        "base": size,
        "records": len(everyone),
        "duplicates": dict(sorted(Counter(p.kind for p in duplicates).items())),
        "phonetic_rules": dict(sorted(Counter(p.rule for p in duplicates if p.rule).items())),
        "distinct": len(distinct),
        "coincidental": len(coincidental),
        "ages_redrawn": redrawn,
        "coincidental_between_base_patients": sum(
            1 for a, b in coincidental if a in base_ids and b in base_ids
        ),
        "surnames_in_pool": sum(len(p.surnames) for p in pool.values()),
        "surnames_used": len({s for person in people for s in person.family}),
        "male_first_names": len({n for p in pool.values() for n in p.male}),
        "female_first_names": len({n for p in pool.values() for n in p.female}),
        "distinct_folded_names": len({fold(person.name) for person in people}),
        "with_accents": sum(1 for person in people if _has_accents(person)),
    }
    return Labelled(
        records,
        [
            {"a": p.base.json_id, "b": p.json_id, "kind": p.kind}
            for p in duplicates
            if p.base is not None
        ],
        [{"a": p.base.json_id, "b": p.json_id} for p in distinct if p.base is not None],
        coincidental,
        stats,
    )


def write(data: Labelled, folder: Path) -> None:
    """OUT_DIR/db.json (json-server's layout) and OUT_DIR/labels.json."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "db.json").write_text(
        json.dumps({"patients": data.records}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    (folder / "labels.json").write_text(json.dumps(data.labels(), indent=1) + "\n")


def main(argv: list[str] | None = None) -> None:
    """Generate, write and print the data set's statistics."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, nargs="?", default=DEFAULT_SIZE)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    data = build(args.size, args.seed)
    data.stats["near_coincidental"] = near_coincidences(data.records, data.duplicate_pairs())
    write(data, args.out_dir)
    print(f"wrote {args.out_dir / 'db.json'} and labels.json")
    print(json.dumps(data.stats, indent=1))


if __name__ == "__main__":
    main()
